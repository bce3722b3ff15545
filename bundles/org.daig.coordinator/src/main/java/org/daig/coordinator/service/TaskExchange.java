package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

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
import org.daig.coordinator.schedule.ResultAdmission.Delta;
import org.daig.coordinator.store.Database;
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
 * (their presence).
 *
 * <p>Messages are decided in arrival order on one thread, in groups: whatever arrived while the
 * previous group was being decided becomes the next group, stored in one database commit and
 * answered after it (docs/operations.md, "Throughput"). A result's delta is read and checked
 * before that, on threads of its own, as soon as the result arrives.
 */
@Component(property = {
        MessageHandler.TOPICS + "=" + TaskTopics.ALL_PROVIDER_TASK_MESSAGES,
        MessageHandler.TOPICS + "=providers/+/presence",
        MessageHandler.BUS_ROLE + "=" + Topics.COORDINATOR })
public class TaskExchange implements MessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(TaskExchange.class);
    /** A banned device asks again rarely: only an admin's reset changes the answer. */
    private static final long BANNED_RETRY_MS = 10 * 60_000;
    /** The most decisions in one commit: a burst of thousands is answered in a few commits, the first ones soon. */
    static final int MOST_PER_COMMIT = 500;
    /** A message that waits this long for its decision makes the exchange say it is behind. */
    private static final long BEHIND_MS = 1000;
    /** How soon a provider whose decision could not be stored should ask again. */
    private static final long STORE_FAILED_RETRY_MS = 5000;

    @Reference
    private TaskDesk projects;

    @Reference
    private ProviderDirectory directory;

    private final LiveConnections connections = new LiveConnections();
    private final BlockingQueue<Pending> inbox = new LinkedBlockingQueue<>();
    /** The latest request id of each provider's request and of each result it sends, while they wait ({@link #unlessAskedAgain}). */
    private final Map<String, String> newest = new ConcurrentHashMap<>();
    private ExecutorService checks;
    private Thread desk;
    private volatile boolean running;
    /** Set when a group commit failed: the scheduler's state must be rebuilt before it decides again (desk thread only). */
    private boolean stale;
    private long lastBehindWarning = System.nanoTime() - 60_000_000_000L;

    /** A message waiting for its decision; requestId null: nothing to answer. */
    private record Pending(MessageBus bus, String providerId, String requestId, Decision decision, long arrived) {

        Pending(MessageBus bus, String providerId, String requestId, Decision decision) {
            this(bus, providerId, requestId, decision, System.nanoTime());
        }
    }

    /** Decides on the desk thread; returns the reply, or null where nobody waits for one. */
    private interface Decision {
        TaskReply decide() throws Exception;
    }

    public TaskExchange() {
        // DS injects the references
    }

    /** Outside DS (tests). */
    TaskExchange(TaskDesk projects, ProviderDirectory directory) {
        this.projects = projects;
        this.directory = directory;
    }

    @Activate
    void activate() {
        checks = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "daig-result-checks");
            t.setDaemon(true);
            return t;
        });
        running = true;
        desk = new Thread(this::serve, "daig-task-exchange");
        desk.setDaemon(true);
        desk.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        desk.interrupt();
        desk.join(10_000);
        checks.shutdownNow();
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
                inbox.add(new Pending(message.bus(), providerId, null, () -> {
                    projects.providerGone(providerId);
                    return null;
                }));
            }
            return;
        }
        String kind = Topics.segment(message.topic(), 3);
        MessageBus bus = message.bus();
        switch (kind == null ? "" : kind) {
        case "request" -> {
            TaskRequest request = message.decode(TaskRequest.class);
            String asking = providerId + "/request";
            newest.put(asking, request.requestId());
            inbox.add(new Pending(bus, providerId, request.requestId(), () -> unlessAskedAgain(asking, request.requestId(),
                    () -> lease(providerId, request))));
        }
        case "result" -> {
            TaskResult result = message.decode(TaskResult.class);
            String sending = providerId + "/result/" + result.leaseId();
            newest.put(sending, result.requestId());
            CompletableFuture<Delta> delta = CompletableFuture.supplyAsync(() -> projects.check(result), checks);
            inbox.add(new Pending(bus, providerId, result.requestId(), () -> unlessAskedAgain(sending, result.requestId(), () -> {
                var outcome = projects.result(providerId, result, delta.get());
                return new TaskReply(result.requestId(), outcome.kind(), null, outcome.message(), 0, outcome.credit());
            })));
        }
        case "release" -> {
            TaskRelease release = message.decode(TaskRelease.class);
            inbox.add(new Pending(bus, providerId, release.requestId(), () -> {
                boolean released = projects.release(providerId, release.leaseId(), release.reason());
                return new TaskReply(release.requestId(), released ? TaskReply.Kind.RELEASED : TaskReply.Kind.UNKNOWN, null,
                        released ? "released" : "no active lease " + release.leaseId() + " of yours", 0, 0);
            }));
        }
        default -> throw new MalformedMessageException("unknown task message kind '" + kind + "'");
        }
    }

    /**
     * Decides a request or result unless its provider sent it again since (with a new request id)
     * while it waited: the provider heeds only the answer to its latest, so the earlier copy is
     * dropped unanswered. When the exchange falls behind, this keeps its queue at one message per
     * provider instead of one per retry.
     */
    private TaskReply unlessAskedAgain(String key, String requestId, Decision decision) throws Exception {
        if (!requestId.equals(newest.get(key))) {
            return null;
        }
        try {
            return decision.decide();
        } finally {
            newest.remove(key, requestId);
        }
    }

    private TaskReply lease(String providerId, TaskRequest request) throws Exception {
        if (!directory.isOnline(providerId)) {
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
    }

    /** The desk: takes what arrived, decides it in one group commit, answers. */
    private void serve() {
        List<Pending> group = new ArrayList<>();
        while (running) {
            try {
                group.add(inbox.take());
            } catch (InterruptedException e) {
                return;
            }
            inbox.drainTo(group, MOST_PER_COMMIT - 1);
            long start = System.nanoTime();
            List<TaskReply> replies = decide(group);
            long decided = System.nanoTime();
            for (int i = 0; i < group.size(); i++) {
                Pending p = group.get(i);
                TaskReply reply = replies.get(i);
                if (reply != null && !p.bus().publish(TaskTopics.replies(p.bus().clientId(), p.providerId()), reply, false)) {
                    LOG.debug("Reply to provider {} dropped: not connected (it will ask again)", p.providerId());
                }
            }
            behind(group, start, decided, System.nanoTime());
            group.clear();
        }
    }

    /** Says, at most once a minute, when providers wait more than a second for their answers (docs/operations.md, "Throughput"). */
    private void behind(List<Pending> group, long start, long decided, long answered) {
        long waited = (start - group.get(0).arrived()) / 1_000_000;
        if (waited >= BEHIND_MS && answered - lastBehindWarning >= 60_000_000_000L) {
            lastBehindWarning = answered;
            LOG.warn("The task exchange is behind: {} messages waited up to {} ms before their decision; deciding them took {} ms and "
                    + "answering {} ms, and {} more are waiting", group.size(), waited, (decided - start) / 1_000_000,
                    (answered - decided) / 1_000_000, inbox.size());
        }
    }

    private List<TaskReply> decide(List<Pending> group) {
        if (stale) {
            try {
                projects.reload();
                stale = false;
            } catch (SQLException e) {
                return refuseAll(group, "its database is unavailable (" + e.getMessage() + ")");
            }
        }
        List<TaskReply> replies = new ArrayList<>(group.size());
        try (Database.Group commit = projects.decideTogether()) {
            for (Pending p : group) {
                replies.add(answer(p));
            }
            commit.commit();
            return replies;
        } catch (SQLException | RuntimeException e) {
            // decisions already made in memory were not stored: rebuild from what was, and let providers ask again
            LOG.error("Storing {} decisions of the task exchange failed ({}); the scheduler is rebuilt from the database", group.size(),
                    e.toString());
            stale = true;
            return refuseAll(group, "it could not store its decision");
        }
    }

    private TaskReply answer(Pending p) {
        try {
            return p.decision().decide();
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.error("Handling request {} of provider {} failed: {}", p.requestId(), p.providerId(), cause.toString());
            return p.requestId() == null ? null : refused(p.requestId(), "the coordinator could not handle it: " + cause.getMessage());
        }
    }

    private static List<TaskReply> refuseAll(List<Pending> group, String why) {
        return group.stream().map(p -> p.requestId() == null ? null : refused(p.requestId(), "the coordinator " + why + "; ask again")).toList();
    }

    private static TaskReply refused(String requestId, String message) {
        return new TaskReply(requestId, TaskReply.Kind.REFUSED, null, message, STORE_FAILED_RETRY_MS, 0);
    }
}
