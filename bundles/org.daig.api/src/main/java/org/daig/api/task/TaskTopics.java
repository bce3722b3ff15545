package org.daig.api.task;

import org.daig.api.bus.Topics;

/**
 * Topics of the task exchange, relative to the topic root. Each side writes only below its own
 * client subtree, so broker ACLs keep volunteers apart.
 */
public final class TaskTopics {

    private TaskTopics() {
    }

    /** Provider → coordinator: {@link TaskRequest}. */
    public static String requests(String providerId) {
        return Topics.clientTree(Topics.PROVIDER, providerId) + "/tasks/request";
    }

    /** Provider → coordinator: {@link TaskResult}. */
    public static String results(String providerId) {
        return Topics.clientTree(Topics.PROVIDER, providerId) + "/tasks/result";
    }

    /** Provider → coordinator: {@link TaskRelease}. */
    public static String releases(String providerId) {
        return Topics.clientTree(Topics.PROVIDER, providerId) + "/tasks/release";
    }

    /** What the coordinator listens to. */
    public static final String ALL_PROVIDER_TASK_MESSAGES = Topics.PROVIDER + "s/+/tasks/+";

    /** Coordinator → one provider: {@link TaskReply}. */
    public static String replies(String coordinatorId, String providerId) {
        return Topics.clientTree(Topics.COORDINATOR, coordinatorId) + "/to/" + providerId + "/tasks";
    }

    /** What a provider listens to. */
    public static String repliesToProvider(String providerId) {
        return Topics.COORDINATOR + "s/+/to/" + providerId + "/tasks";
    }

    /** Coordinator → everyone: the newest {@link org.daig.api.project.Progress} of a project, retained. */
    public static String progress(String coordinatorId, String projectId) {
        return Topics.clientTree(Topics.COORDINATOR, coordinatorId) + "/projects/" + projectId + "/progress";
    }
}
