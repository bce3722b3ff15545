package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
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

    @BeforeEach
    void start() throws Exception {
        db = TestDatabases.h2("exchange").open();
        desk = new Desk(db);
        exchange = new TaskExchange(desk, new Everyone());
        exchange.activate();
    }

    @AfterEach
    void stop() throws InterruptedException {
        desk.gate.countDown();
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

    private IncomingMessage request(String provider, String requestId) {
        return new Incoming("providers/" + provider + "/tasks/request", new TaskRequest(requestId, 0), bus);
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

    /** A desk with no tasks that counts leases and group commits, and holds its first group until the gate opens. */
    private static final class Desk implements TaskDesk {
        final Map<String, AtomicInteger> leases = new ConcurrentHashMap<>();
        final AtomicInteger groups = new AtomicInteger();
        final CountDownLatch inFirstGroup = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        private final Database db;

        Desk(Database db) {
            this.db = db;
        }

        @Override
        public Database.Group decideTogether() {
            if (groups.incrementAndGet() == 1) {
                inFirstGroup.countDown();
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return db.group();
        }

        @Override
        public Optional<Task> lease(String providerId, long maxParams) {
            leases.computeIfAbsent(providerId, p -> new AtomicInteger()).incrementAndGet();
            return Optional.empty();
        }

        @Override
        public Optional<String> noTasksFor(String providerId) {
            return Optional.empty();
        }

        @Override
        public Delta check(TaskResult result) {
            return Delta.ok(0);
        }

        @Override
        public Scheduler.Outcome result(String providerId, TaskResult result, Delta delta) {
            throw new UnsupportedOperationException("no results here");
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
