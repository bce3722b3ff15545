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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * answered after it, on a thread of its own while the desk decides the next group
 * (docs/operations.md, "Throughput"). A group larger than {@link #MOST_PER_COMMIT} (the requests
 * held until a round starts) is stored in parts of 64, 128, 256 and then 500 decisions, each
 * answered while the next is decided: the first providers have their tasks within milliseconds.
 * A result's delta is read and checked before that, on threads of its own, as soon as it arrives.
 * While nothing arrives, the desk writes what its decisions left for later ({@link LeftoverWrites}).
 *
 * <p>A request that finds no task and says it can wait ({@link TaskRequest#waitMs}) is held, not
 * answered: when the scheduler says tasks may have appeared, the held requests are decided again
 * as one group, and one whose wait ends gets "no task" (docs/protocol.md, "Long poll"). Idle
 * providers then cost nothing between rounds, instead of a request each every half second.
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
    /** The first part of a larger group, which is decided in parts that double up to {@link #MOST_PER_COMMIT}. */
    private static final int FIRST_PART = 64;
    /** A message that waits this long for its decision makes the exchange say it is behind. */
    private static final long BEHIND_MS = 1000;
    /** How soon a provider whose decision could not be stored should ask again. */
    private static final long STORE_FAILED_RETRY_MS = 5000;
    /** How often the desk looks for held requests whose wait ended. */
    private static final long HELD_CHECK_MS = 200;
    /** Queued by the scheduler's signal: offer tasks to the held requests. */
    private static final Decision OFFER_HELD = () -> null;

    @Reference
    private TaskDesk projects;

    @Reference
    private ProviderDirectory directory;

    @Reference
    private CoordinatorMetrics metrics;

    private final LiveConnections connections = new LiveConnections();
    private final BlockingQueue<Pending> inbox = new LinkedBlockingQueue<>();
    /** The latest request id of each provider's request and of each result it sends, while they wait ({@link #unlessAskedAgain}). */
    private final Map<String, String> newest = new ConcurrentHashMap<>();
    private ExecutorService checks;
    /** Publishes the answers, in order, while the desk decides the next group. */
    private ExecutorService replies;
    private Thread desk;
    private volatile boolean running;
    /** Set when a group commit failed: the scheduler's state must be rebuilt before it decides again (desk thread only). */
    private boolean stale;
    private long lastBehindWarning = System.nanoTime() - 60_000_000_000L;
    /** Requests waiting for a task (desk thread only). */
    private final HeldRequests held = new HeldRequests();
    /** An offer to the held requests is queued and not yet taken: signals in between add nothing. */
    private final AtomicBoolean offerQueued = new AtomicBoolean();
    private long lastHeldCheck = System.nanoTime();
    /** What deciding left for later, written while nothing arrives (desk thread only). */
    private LeftoverWrites leftovers;

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
    TaskExchange(TaskDesk projects, ProviderDirectory directory, CoordinatorMetrics metrics) {
        this.projects = projects;
        this.directory = directory;
        this.metrics = metrics;
    }

    @Activate
    void activate() {
        checks = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "daig-result-checks");
            t.setDaemon(true);
            return t;
        });
        replies = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "daig-task-replies");
            t.setDaemon(true);
            return t;
        });
        running = true;
        leftovers = new LeftoverWrites(projects);
        projects.whenTasksMayAppear(this::tasksMayAppear);
        desk = new Thread(this::serve, "daig-task-exchange");
        desk.setDaemon(true);
        desk.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        projects.whenTasksMayAppear(() -> {
        });
        desk.interrupt();
        desk.join(10_000);
        checks.shutdownNow();
        replies.shutdown();
        replies.awaitTermination(5, TimeUnit.SECONDS);
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
                    held.drop(providerId);
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
            long waitEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(request.heldAtMostMs());
            newest.put(asking, request.requestId());
            inbox.add(new Pending(bus, providerId, request.requestId(), () -> unlessAskedAgain(asking, request.requestId(), () -> {
                held.drop(providerId); // a newer request replaces the one held
                return lease(new HeldRequests.Held(bus, providerId, request, waitEnds));
            })));
        }
        case "result" -> {
            TaskResult result = message.decode(TaskResult.class);
            String sending = providerId + "/result/" + result.leaseId();
            newest.put(sending, result.requestId());
            CompletableFuture<Delta> delta = CompletableFuture.supplyAsync(() -> projects.check(providerId, result), checks);
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

    /** The tasks may have appeared (the scheduler's signal, under its lock): the desk offers them to the held requests. */
    private void tasksMayAppear() {
        if (offerQueued.compareAndSet(false, true)) {
            inbox.add(new Pending(null, null, null, OFFER_HELD));
        }
    }

    /** Answers a request with a task, or holds it if it may wait and there is none, or says why there is none. */
    private TaskReply lease(HeldRequests.Held asked) throws Exception {
        String providerId = asked.providerId();
        TaskRequest request = asked.request();
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
        if (task.isPresent()) {
            return new TaskReply(request.requestId(), TaskReply.Kind.TASK, task.get(), null, 0, 0);
        }
        if (asked.deadlineNanos() - System.nanoTime() > 0) {
            held.hold(asked);
            return null; // answered when a task appears or the wait ends
        }
        return new TaskReply(request.requestId(), TaskReply.Kind.NO_TASK, null, "nothing to do right now", projects.retryAfterMillis(), 0);
    }

    /** Replaces the signal in the group by the held requests, each to be decided again; answers the held requests whose wait ended. */
    private void offerHeld(List<Pending> group) {
        if (group.removeIf(p -> p.decision() == OFFER_HELD)) {
            offerQueued.set(false); // signals from now on queue another offer
            for (HeldRequests.Held h : held.all()) {
                String requestId = h.request().requestId();
                group.add(new Pending(h.bus(), h.providerId(), requestId, () -> {
                    HeldRequests.Held still = held.take(h.providerId(), requestId);
                    return still == null ? null : lease(still); // null: replaced by a newer request meanwhile
                }));
            }
        }
        long now = System.nanoTime();
        if (now - lastHeldCheck < TimeUnit.MILLISECONDS.toNanos(HELD_CHECK_MS)) {
            return;
        }
        lastHeldCheck = now;
        List<HeldRequests.Held> ended = held.ended(now);
        if (!ended.isEmpty()) {
            // no task came within the wait: ask again at once, which holds the next request
            replies.execute(() -> ended.forEach(h -> answer(h.bus(), h.providerId(), new TaskReply(h.request().requestId(),
                    TaskReply.Kind.NO_TASK, null, "no task appeared within the wait", 0, 0))));
        }
    }

    /** The desk: takes what arrived, decides it in one group commit, answers. */
    private void serve() {
        List<Pending> group = new ArrayList<>();
        while (running) {
            try {
                Pending first = held.isEmpty() && !leftovers.waiting() ? inbox.take() : inbox.poll(HELD_CHECK_MS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    group.add(first);
                } else {
                    leftovers.writeWhile(() -> inbox.isEmpty() && running);
                }
            } catch (InterruptedException e) {
                return;
            }
            inbox.drainTo(group, MOST_PER_COMMIT - 1);
            offerHeld(group);
            metrics.requestsHeld(held.size());
            if (group.isEmpty()) {
                continue;
            }
            long start = System.nanoTime();
            // a group larger than one commit (the held requests at a round's start) is decided in growing
            // parts, each answered as soon as it is stored: the first providers get their tasks while the rest are decided
            int part = group.size() > MOST_PER_COMMIT ? FIRST_PART : group.size();
            for (int from = 0; from < group.size(); from += part, part = Math.min(MOST_PER_COMMIT, part * 2)) {
                List<Pending> answered = List.copyOf(group.subList(from, Math.min(group.size(), from + part)));
                List<TaskReply> decisions = decide(answered);
                // stored: the answers go out on their own thread, and the desk decides on meanwhile
                replies.execute(() -> {
                    for (int i = 0; i < answered.size(); i++) {
                        Pending p = answered.get(i);
                        if (decisions.get(i) != null) {
                            answer(p.bus(), p.providerId(), decisions.get(i));
                        }
                    }
                });
            }
            long decided = System.nanoTime();
            leftovers.mayWait();
            behind(group, start, decided);
            group.clear();
            metrics.requestsHeld(held.size());
        }
    }

    private static void answer(MessageBus bus, String providerId, TaskReply reply) {
        if (!bus.publish(TaskTopics.replies(bus.clientId(), providerId), reply, false)) {
            LOG.debug("Reply to provider {} dropped: not connected (it will ask again)", providerId);
        }
    }

    /** Says, at most once a minute, when providers wait more than a second for their answers (docs/operations.md, "Throughput"). */
    private void behind(List<Pending> group, long start, long decided) {
        long waited = (start - group.get(0).arrived()) / 1_000_000;
        if (waited >= BEHIND_MS && decided - lastBehindWarning >= 60_000_000_000L) {
            lastBehindWarning = decided;
            LOG.warn("The task exchange is behind: {} messages waited up to {} ms before their decision; deciding them took {} ms, "
                    + "and {} more are waiting", group.size(), waited, (decided - start) / 1_000_000, inbox.size());
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
