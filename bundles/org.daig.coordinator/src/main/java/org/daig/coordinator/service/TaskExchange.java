package org.daig.coordinator.service;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.daig.api.bus.IncomingMessage;
import org.daig.api.bus.MalformedMessageException;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.MessageHandler;
import org.daig.api.bus.Topics;
import org.daig.api.presence.Presence;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.task.Task;
import org.daig.api.task.TaskRelease;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskRequest;
import org.daig.api.task.TaskResult;
import org.daig.api.task.TaskTopics;
import org.daig.coordinator.presence.LiveConnections;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's side of the task exchange on the control plane: answers lease requests,
 * results and releases from providers, and frees the tasks of providers that go offline. The
 * provider is the one named in the topic: the broker lets a client in only with its own token and
 * lets it publish only below its own id (docs/protocol.md, "Broker ACL"), so every message here
 * comes from an authenticated provider. Tasks go only to providers the coordinator sees online
 * (their presence). Messages are handled off the bus thread, in arrival order.
 */
@Component(property = {
        MessageHandler.TOPICS + "=" + TaskTopics.ALL_PROVIDER_TASK_MESSAGES,
        MessageHandler.TOPICS + "=providers/+/presence",
        MessageHandler.BUS_ROLE + "=" + Topics.COORDINATOR })
public class TaskExchange implements MessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(TaskExchange.class);
    /** A banned device asks again rarely: only an admin's reset changes the answer. */
    private static final long BANNED_RETRY_MS = 10 * 60_000;

    @Reference
    private TaskDesk projects;

    @Reference
    private ProviderDirectory directory;

    private final LiveConnections connections = new LiveConnections();

    private ExecutorService executor;

    @Activate
    void activate() {
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "daig-task-exchange");
            t.setDaemon(true);
            return t;
        });
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }

    @Override
    public void onMessage(IncomingMessage message) throws MalformedMessageException {
        String providerId = Topics.segment(message.topic(), 1);
        if (message.isEmpty()) {
            return;
        }
        if (message.topic().endsWith("/presence")) {
            Presence presence = message.decode(Presence.class);
            // ProviderTracker logs the offline messages it does not believe; the same rule keeps the leases
            if (connections.believe(providerId, presence) && !presence.online()) {
                executor.execute(() -> projects.providerGone(providerId));
            }
            return;
        }
        String kind = Topics.segment(message.topic(), 3);
        MessageBus bus = message.bus();
        switch (kind == null ? "" : kind) {
        case "request" -> {
            TaskRequest request = message.decode(TaskRequest.class);
            executor.execute(() -> handle(bus, providerId, request.requestId(), () -> {
                if (!online(providerId)) {
                    return new TaskReply(request.requestId(), TaskReply.Kind.NO_TASK, null,
                            "the coordinator does not see you online: tasks go only to providers whose presence says online",
                            projects.retryAfterMillis(), 0);
                }
                Optional<String> banned = projects.noTasksFor(providerId);
                if (banned.isPresent()) {
                    return new TaskReply(request.requestId(), TaskReply.Kind.NO_TASK, null, banned.get(), BANNED_RETRY_MS, 0);
                }
                Optional<Task> task = projects.lease(providerId, request.maxParams());
                return task.map(t -> new TaskReply(request.requestId(), TaskReply.Kind.TASK, t, null, 0, 0))
                        .orElseGet(() -> new TaskReply(request.requestId(), TaskReply.Kind.NO_TASK, null, "nothing to do right now",
                                projects.retryAfterMillis(), 0));
            }));
        }
        case "result" -> {
            TaskResult result = message.decode(TaskResult.class);
            executor.execute(() -> handle(bus, providerId, result.requestId(), () -> {
                var outcome = projects.result(providerId, result);
                return new TaskReply(result.requestId(), outcome.kind(), null, outcome.message(), 0, outcome.credit());
            }));
        }
        case "release" -> {
            TaskRelease release = message.decode(TaskRelease.class);
            executor.execute(() -> handle(bus, providerId, release.requestId(), () -> {
                boolean released = projects.release(providerId, release.leaseId(), release.reason());
                return new TaskReply(release.requestId(), released ? TaskReply.Kind.RELEASED : TaskReply.Kind.UNKNOWN, null,
                        released ? "released" : "no active lease " + release.leaseId() + " of yours", 0, 0);
            }));
        }
        default -> throw new MalformedMessageException("unknown task message kind '" + kind + "'");
        }
    }

    private boolean online(String providerId) {
        return directory.providers().stream().anyMatch(p -> p.id().equals(providerId) && p.online());
    }

    private interface Answer {
        TaskReply get() throws Exception;
    }

    private void handle(MessageBus bus, String providerId, String requestId, Answer answer) {
        TaskReply reply;
        try {
            reply = answer.get();
        } catch (Exception e) {
            LOG.error("Handling request {} of provider {} failed: {}", requestId, providerId, e.toString());
            reply = new TaskReply(requestId, TaskReply.Kind.REFUSED, null, "the coordinator could not handle it: " + e.getMessage(), 5000, 0);
        }
        if (!bus.publish(TaskTopics.replies(bus.clientId(), providerId), reply, false)) {
            LOG.debug("Reply to provider {} dropped: not connected (it will ask again)", providerId);
        }
    }
}
