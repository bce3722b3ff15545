package org.daig.coordinator.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.daig.api.bus.IncomingMessage;
import org.daig.api.bus.MessageBus;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskRequest;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.ResultAdmission.Delta;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The task exchange's desk: what arrives while a group is being decided is decided as the next
 * group, in one commit; a request its provider sent again while it waited is dropped, and only the
 * latest is answered. The scheduler behind it is a stand-in here (SchedulerTest has the real one).
 */
class TaskExchangeTest {

    private Database db;
    private Desk desk;
    private TaskExchange exchange;
    private final Bus bus = new Bus();
    private final MetricsCounters metrics = new MetricsCounters();

    @BeforeEach
    void start() throws Exception {
        db = TestDatabases.h2("exchange").open();
        desk = new Desk(db);
        exchange = new TaskExchange(desk, new Everyone(), metrics);
        exchange.activate();
    }

    @AfterEach
    void stop() throws InterruptedException {
        desk.gate.countDown();
        desk.release.countDown();
        exchange.deactivate();
        db.close();
    }

    @Test
    void aRequestAskedAgainWhileItWaitedIsAnsweredOnlyForTheLatest() throws Exception {
        exchange.onMessage(request("p0", "r0")); // the desk takes it and is held inside its group
        assertTrue(desk.inFirstGroup.await(30, TimeUnit.SECONDS));
        exchange.onMessage(request("p1", "r1"));
        exchange.onMessage(request("p1", "r2")); // p1 lost patience and asked again
        exchange.onMessage(request("p2", "r3"));
        desk.gate.countDown();
        List<String> answered = new ArrayList<>();
        while (!answered.contains("r3")) { // decided in arrival order: once r3 is answered, r1 would have been
            TaskReply reply = bus.replies.poll(30, TimeUnit.SECONDS);
            assertNotNull(reply, "answers so far: " + answered);
            answered.add(reply.requestId());
        }
        assertEquals(List.of("r0", "r2", "r3"), answered);
        assertEquals(1, desk.leases.get("p1").get(), "p1's first request was never decided");
    }

    @Test
    void whatArrivesWhileAGroupIsDecidedIsDecidedTogether() throws Exception {
        exchange.onMessage(request("p0", "first"));
        assertTrue(desk.inFirstGroup.await(30, TimeUnit.SECONDS));
        for (int i = 1; i <= 50; i++) {
            exchange.onMessage(request("p" + i, "r" + i));
        }
        desk.gate.countDown();
        for (int i = 0; i <= 50; i++) {
            TaskReply reply = bus.replies.poll(30, TimeUnit.SECONDS);
            assertNotNull(reply, "answer " + i + " of 51");
            assertEquals(TaskReply.Kind.NO_TASK, reply.kind());
        }
        assertEquals(2, desk.groups.get(), "the 50 that waited were decided in one group commit");
    }

    @Test
    void aRequestThatMayWaitIsHeldAndAnsweredWithTheTaskThatAppears() throws Exception {
        desk.gate.countDown();
        exchange.onMessage(request("p1", "r1", 30_000L));
        exchange.onMessage(request("p2", "r2")); // decided after r1: answered first only if r1 is held
        TaskReply first = bus.replies.poll(30, TimeUnit.SECONDS);
        assertNotNull(first);
        assertEquals("r2", first.requestId(), "the request that may wait got no answer yet");
        assertEquals(TaskReply.Kind.NO_TASK, first.kind());
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.requestsHeld() == 1); // /metrics says so
        desk.tasks.set(1);
        desk.signal.run(); // as the scheduler does when a round starts
        TaskReply task = bus.replies.poll(30, TimeUnit.SECONDS);
        assertNotNull(task, "the held request is answered once a task appears, without asking again");
        assertEquals("r1", task.requestId());
        assertEquals(TaskReply.Kind.TASK, task.kind());
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.requestsHeld() == 0);
    }

    @Test
    void aHeldRequestIsAnsweredNoTaskWhenItsWaitEnds() throws Exception {
        desk.gate.countDown();
        long asked = System.nanoTime();
        exchange.onMessage(request("p1", "r1", 300L));
        TaskReply reply = bus.replies.poll(30, TimeUnit.SECONDS);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        assertNotNull(reply, "answered when the wait ended");
        assertEquals(TaskReply.Kind.NO_TASK, reply.kind());
        assertEquals(0, reply.retryAfterMs(), "a long poll asks again at once");
        assertTrue(waitedMs >= 300, "held for its wait: " + waitedMs + " ms");
    }

    @Test
    void aNewerRequestReplacesTheHeldOneAndOnlyItGetsTheTask() throws Exception {
        desk.gate.countDown();
        exchange.onMessage(request("p1", "r1", 30_000L));
        exchange.onMessage(request("p1", "r2", 30_000L)); // p1 timed out on its side and asked again
        exchange.onMessage(request("p9", "done-asking"));
        assertEquals("done-asking", bus.replies.poll(30, TimeUnit.SECONDS).requestId());
        desk.tasks.set(2);
        desk.signal.run();
        exchange.onMessage(request("p8", "after"));
        List<String> answered = new ArrayList<>();
        while (!answered.contains("r2") || !answered.contains("after")) {
            TaskReply reply = bus.replies.poll(30, TimeUnit.SECONDS);
            assertNotNull(reply, "answers so far: " + answered);
            answered.add(reply.requestId() + (reply.kind() == TaskReply.Kind.TASK ? ":task" : ""));
            answered.add(reply.requestId());
        }
        assertTrue(answered.contains("r2:task"), "the latest request got the task: " + answered);
        assertTrue(!answered.contains("r1") && !answered.contains("r1:task"), "the replaced request was dropped: " + answered);
    }

    @Test
    void aBurstOfHeldRequestsIsAnsweredPartByPartTheFirstWhileTheRestIsDecided() throws Exception {
        desk.gate.countDown();
        int providers = 1000;
        for (int i = 0; i < providers; i++) {
            exchange.onMessage(request("p" + i, "r" + i, 60_000L));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.requestsHeld() == providers);
        int before = desk.groups.get();
        desk.holdAt = before + 2; // the burst's second part waits in its commit
        desk.tasks.set(providers);
        desk.signal.run(); // a round starts
        assertTrue(desk.heldAt.await(30, TimeUnit.SECONDS), "the burst is decided in more than one commit");
        for (int i = 0; i < 64; i++) {
            TaskReply reply = bus.replies.poll(30, TimeUnit.SECONDS);
            assertNotNull(reply, "the first part is answered while the second is decided: answer " + i + " of 64 missing");
            assertEquals(TaskReply.Kind.TASK, reply.kind());
        }
        assertTrue(bus.replies.isEmpty(), "nothing of the second part is answered before its commit");
        desk.release.countDown();
        for (int i = 64; i < providers; i++) {
            TaskReply reply = bus.replies.poll(30, TimeUnit.SECONDS);
            assertNotNull(reply, "answer " + i + " of " + providers);
            assertEquals(TaskReply.Kind.TASK, reply.kind());
        }
        assertEquals(5, desk.groups.get() - before, "parts of 64, 128, 256, 500 and the remaining 52");
    }

    @Test
    void whatTheDeskLeftForLaterIsWrittenWhileNothingArrivesUntilNoneIsLeft() throws Exception {
        desk.gate.countDown();
        desk.leftovers.set(3); // three commits' worth
        exchange.onMessage(request("p1", "r1"));
        assertNotNull(bus.replies.poll(30, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(30)).until(() -> desk.leftovers.get() == 0);
        int calls = desk.leftoverCalls.get();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> desk.leftoverCalls.get() == calls);
    }

    @Test
    void aPlainRequestIsAnsweredAtOnceAndIsNeverHeld() throws Exception {
        desk.gate.countDown();
        exchange.onMessage(request("p1", "r1"));
        TaskReply reply = bus.replies.poll(30, TimeUnit.SECONDS);
        assertNotNull(reply);
        assertEquals(TaskReply.Kind.NO_TASK, reply.kind());
        assertEquals(1000, reply.retryAfterMs(), "asks again after the desk's pause");
        desk.tasks.set(1);
        desk.signal.run();
        exchange.onMessage(request("p2", "r2"));
        TaskReply next = bus.replies.poll(30, TimeUnit.SECONDS);
        assertEquals("r2", next.requestId(), "nothing was held for p1");
        assertEquals(TaskReply.Kind.TASK, next.kind());
    }

    private IncomingMessage request(String provider, String requestId) {
        return new Incoming("providers/" + provider + "/tasks/request", new TaskRequest(requestId, 0), bus);
    }

    private IncomingMessage request(String provider, String requestId, Long waitMs) {
        return new Incoming("providers/" + provider + "/tasks/request", new TaskRequest(requestId, 0, waitMs), bus);
    }

    private record Incoming(String topic, Object body, MessageBus bus) implements IncomingMessage {
        @Override
        public boolean retained() {
            return false;
        }

        @Override
        public byte[] payload() {
            return new byte[] { '{', '}' };
        }

        @Override
        public <T> T decode(Class<T> type) {
            return type.cast(body);
        }
    }

    /**
     * A desk with {@link #tasks} tasks (none at first) that counts leases and group commits, and
     * holds its first group until the gate opens (and group {@link #holdAt} until its release).
     */
    private static final class Desk implements TaskDesk {
        final Map<String, AtomicInteger> leases = new ConcurrentHashMap<>();
        final AtomicInteger tasks = new AtomicInteger();
        /** Commits' worth of writes left for later, and how often the exchange asked for one. */
        final AtomicInteger leftovers = new AtomicInteger();
        final AtomicInteger leftoverCalls = new AtomicInteger();
        volatile Runnable signal = () -> {
        };
        final AtomicInteger groups = new AtomicInteger();
        final CountDownLatch inFirstGroup = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        /** The group commit that waits for {@link #release} (none: -1), and the latch it counts down when it does. */
        volatile int holdAt = -1;
        final CountDownLatch heldAt = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final Database db;

        Desk(Database db) {
            this.db = db;
        }

        @Override
        public Database.Group decideTogether() {
            int group = groups.incrementAndGet();
            if (group == 1) {
                inFirstGroup.countDown();
                await(gate);
            }
            if (group == holdAt) {
                heldAt.countDown();
                await(release);
            }
            return db.group();
        }

        private static void await(CountDownLatch latch) {
            try {
                latch.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public Optional<Task> lease(String providerId, long maxParams) {
            leases.computeIfAbsent(providerId, p -> new AtomicInteger()).incrementAndGet();
            if (tasks.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
                return Optional.empty();
            }
            return Optional.of(new Task("l-" + providerId, "p", 0, 0, 0, "m", "params", "x", "y", 10, 1, 8, 1, 0, "http://c/"));
        }

        @Override
        public void whenTasksMayAppear(Runnable tasksMayAppear) {
            signal = tasksMayAppear;
        }

        @Override
        public Optional<String> noTasksFor(String providerId) {
            return Optional.empty();
        }

        @Override
        public Delta check(String providerId, TaskResult result) {
            return Delta.ok(0);
        }

        @Override
        public Scheduler.Outcome result(String providerId, TaskResult result, Delta delta) {
            throw new UnsupportedOperationException("no results here");
        }

        @Override
        public boolean writeLeftovers() {
            leftoverCalls.incrementAndGet();
            return leftovers.updateAndGet(n -> Math.max(0, n - 1)) > 0;
        }

        @Override
        public void reload() throws SQLException {
        }

        @Override
        public long retryAfterMillis() {
            return 1000;
        }

        @Override
        public boolean release(String providerId, String leaseId, String reason) {
            return false;
        }

        @Override
        public void providerGone(String providerId) {
        }
    }

    private static final class Everyone implements ProviderDirectory {
        @Override
        public List<ProviderInfo> providers() {
            return List.of();
        }

        @Override
        public boolean isOnline(String providerId) {
            return true;
        }

        @Override
        public List<String> otherCoordinators() {
            return List.of();
        }
    }

    /** A connected bus that keeps the task replies it is asked to publish. */
    private static final class Bus implements MessageBus {
        final BlockingQueue<TaskReply> replies = new LinkedBlockingQueue<>();

        @Override
        public String role() {
            return "coordinator";
        }

        @Override
        public String clientId() {
            return "coordinator-1";
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public String brokerUrl() {
            return "tcp://localhost:1883";
        }

        @Override
        public boolean publish(String topic, Object message, boolean retained) {
            replies.add((TaskReply) message);
            return true;
        }

        @Override
        public boolean clearRetained(String topic) {
            return true;
        }
    }
}
