package org.daig.provider.work;

import static org.daig.provider.work.Fakes.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.daig.api.bus.IncomingMessage;
import org.daig.api.bus.MalformedMessageException;
import org.daig.api.bus.MessageBus;
import org.daig.api.task.Task;
import org.daig.api.task.TaskRelease;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskRequest;
import org.daig.api.task.TaskResult;
import org.daig.api.task.TaskTopics;
import org.daig.provider.CoordinatorTrust;
import org.junit.jupiter.api.Test;

class BusTaskExchangeTest {

    private static final String ME = "prov-1";

    /** Records what is published; {@link #onPublish} plays the coordinator, answering before publish returns. */
    private static final class FakeBus implements MessageBus {
        final List<String> topics = new ArrayList<>();
        final List<Object> messages = new ArrayList<>();
        BiConsumer<String, Object> onPublish = (t, m) -> { };
        boolean connected = true;

        @Override
        public String role() {
            return "provider";
        }

        @Override
        public String clientId() {
            return ME;
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public String brokerUrl() {
            return "tcp://broker.example:1883";
        }

        @Override
        public boolean publish(String topic, Object message, boolean retained) {
            if (!connected) {
                return false;
            }
            topics.add(topic);
            messages.add(message);
            onPublish.accept(topic, message);
            return true;
        }

        @Override
        public boolean clearRetained(String topic) {
            return true;
        }
    }

    private final FakeBus bus = new FakeBus();
    /** The coordinator "coord" is trusted; its HTTP side is where {@link Fakes#task} puts the blobs. */
    private CoordinatorTrust.Decision trust = new CoordinatorTrust.Decision("coord", "http://127.0.0.1:1/api/status", null);
    /** A short wait: the tests that time out expect no answer at all. */
    private final BusTaskExchange exchange = new BusTaskExchange(bus, 100, () -> trust);

    private IncomingMessage reply(String topic, TaskReply reply) {
        return new IncomingMessage() {
            @Override
            public String topic() {
                return topic;
            }

            @Override
            public boolean retained() {
                return false;
            }

            @Override
            public byte[] payload() {
                return new byte[] { '{', '}' };
            }

            @Override
            public MessageBus bus() {
                return bus;
            }

            @Override
            public <T> T decode(Class<T> type) {
                return type.cast(reply);
            }
        };
    }

    /** Hands a message to the exchange as the bus's dispatch thread would. */
    private void deliver(IncomingMessage message) {
        try {
            exchange.onMessage(message);
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }

    private static TaskReply noTask(String requestId, long retryAfterMs) {
        return new TaskReply(requestId, TaskReply.Kind.NO_TASK, null, "nothing to do", retryAfterMs, 0);
    }

    @Test
    void aTaskRequestGoesToThisProvidersTopicAndItsReplyComesBack() throws Exception {
        bus.onPublish = (topic, message) -> deliver(
                reply(TaskTopics.replies("coord", ME), noTask(((TaskRequest) message).requestId(), 1234)));
        TaskReply reply = exchange.askForTask();
        assertEquals(List.of(TaskTopics.requests(ME)), bus.topics);
        assertEquals(1234, reply.retryAfterMs());
    }

    @Test
    void aReplyToARequestItDidNotSendIsRefused() throws Exception {
        bus.onPublish = (topic, message) -> {
            deliver(reply(TaskTopics.replies("coord", ME), noTask("someone-elses-request", 1)));
            deliver(reply(TaskTopics.replies("coord", ME), noTask(((TaskRequest) message).requestId(), 2)));
        };
        assertEquals(2, exchange.askForTask().retryAfterMs(), "the reply to its own request, not the stray one");
    }

    @Test
    void aReplyAddressedToAnotherProviderIsIgnoredEvenWithAMatchingRequestId() throws Exception {
        bus.onPublish = (topic, message) -> {
            String id = ((TaskRequest) message).requestId();
            deliver(reply(TaskTopics.replies("coord", "prov-2"), noTask(id, 1)));
            deliver(reply(TaskTopics.replies("coord", ME), noTask(id, 2)));
        };
        assertEquals(2, exchange.askForTask().retryAfterMs());

        bus.onPublish = (topic, message) -> deliver(
                reply(TaskTopics.replies("coord", "prov-2"), noTask(((TaskRequest) message).requestId(), 1)));
        assertNull(exchange.askForTask(), "only a foreign reply: no answer");
    }

    @Test
    void aTaskRequestMayBeHeldByTheCoordinatorAndIsAwaitedThatMuchLonger() throws Exception {
        BusTaskExchange longPoll = new BusTaskExchange(bus, 300, 100, () -> trust);
        List<Long> waits = new ArrayList<>();
        bus.onPublish = (topic, message) -> waits.add(((TaskRequest) message).waitMs());
        long asked = System.nanoTime();
        assertNull(longPoll.askForTask(), "no coordinator answered");
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        assertEquals(List.of(300L), waits, "the request says how long the coordinator may hold it");
        assertTrue(waitedMs >= 400, "awaited for the hold and the reply time: " + waitedMs + " ms");
        bus.onPublish = (topic, message) -> {
            try {
                longPoll.onMessage(reply(TaskTopics.replies("coord", ME), taskReply(((TaskRequest) message).requestId(), Fakes.task("p", 0, 1))));
            } catch (MalformedMessageException e) {
                throw new AssertionError(e);
            }
        };
        assertEquals(TaskReply.Kind.TASK, longPoll.askForTask().kind(), "a held request's task is taken like any answer");
    }

    @Test
    void aReplyAfterTheWaitEndedIsNotKeptForTheNextRequest() throws Exception {
        List<String> asked = new ArrayList<>();
        bus.onPublish = (topic, message) -> asked.add(((TaskRequest) message).requestId());
        assertNull(exchange.askForTask(), "no coordinator answered");
        deliver(reply(TaskTopics.replies("coord", ME), noTask(asked.get(0), 1))); // late

        bus.onPublish = (topic, message) -> {
            asked.add(((TaskRequest) message).requestId());
            deliver(reply(TaskTopics.replies("coord", ME), noTask(((TaskRequest) message).requestId(), 2)));
        };
        assertEquals(2, exchange.askForTask().retryAfterMs());
        assertFalse(asked.get(0).equals(asked.get(1)), "every request has its own id");
    }

    @Test
    void aResultIsAnsweredByTheReplyToItsOwnRequestId() throws Exception {
        TaskResult result = new TaskResult("result-1", "lease-1", "p", 3, 0, 7, "delta", 100, 0.5, 0.9, 2.0);
        bus.onPublish = (topic, message) -> deliver(
                reply(TaskTopics.replies("coord", ME), new TaskReply("result-1", TaskReply.Kind.ACCEPTED, null, null, 0, 0.25)));
        TaskReply reply = exchange.sendResult(result);
        assertEquals(TaskReply.Kind.ACCEPTED, reply.kind());
        assertEquals(List.of(TaskTopics.results(ME)), bus.topics);
        assertSame(result, bus.messages.get(0));
    }

    @Test
    void withoutAConnectionThereIsNoAnswerAtOnce() throws Exception {
        bus.connected = false;
        assertFalse(exchange.isConnected());
        assertNull(exchange.askForTask());
        BusTaskExchange unbound = new BusTaskExchange(null, 60_000, () -> trust);
        assertNull(unbound.askForTask(), "no bus: no waiting for a reply that cannot come");
        assertNull(unbound.brokerUrl());
    }

    @Test
    void aTaskGivenBackNamesItsLeaseAndTheReason() {
        exchange.release(task("p", 4, 0), "the volunteer quit");
        assertEquals(List.of(TaskTopics.releases(ME)), bus.topics);
        TaskRelease release = assertInstanceOf(TaskRelease.class, bus.messages.get(0));
        assertEquals("lease-p-4", release.leaseId());
        assertEquals("the volunteer quit", release.reason());
    }

    private static TaskReply taskReply(String requestId, Task task) {
        return new TaskReply(requestId, TaskReply.Kind.TASK, task, null, 0, 0);
    }

    @Test
    void anotherCoordinatorAnsweringFirstIsIgnored() throws Exception {
        bus.onPublish = (topic, message) -> {
            String id = ((TaskRequest) message).requestId();
            deliver(reply(TaskTopics.replies("fake-coord", ME), taskReply(id, Fakes.task("evil", 0, 1))));
            deliver(reply(TaskTopics.replies("coord", ME), noTask(id, 2)));
        };
        assertEquals(2, exchange.askForTask().retryAfterMs(), "the trusted coordinator's answer, not the first one");

        bus.onPublish = (topic, message) -> deliver(
                reply(TaskTopics.replies("fake-coord", ME), taskReply(((TaskRequest) message).requestId(), Fakes.task("evil", 0, 1))));
        assertNull(exchange.askForTask(), "only the other coordinator answered: no answer");
    }

    @Test
    void aTaskWhoseBlobsAreNotOnTheTrustedCoordinatorIsRefusedAndNothingIsGivenBack() throws Exception {
        Task elsewhere = new Task("lease-1", "p", 3, 0, 7, "m", "w", "x", "y", 100, 2, 16, 42L, 1, "http://evil.example:1/");
        bus.onPublish = (topic, message) -> deliver(
                reply(TaskTopics.replies("coord", ME), taskReply(((TaskRequest) message).requestId(), elsewhere)));
        TaskReply reply = exchange.askForTask();
        assertEquals(TaskReply.Kind.NO_TASK, reply.kind());
        assertNull(reply.task(), "the task is not handed to the work loop");
        assertTrue(reply.message().contains("http://evil.example:1/"), reply.message());
        assertEquals(List.of(TaskTopics.requests(ME)), bus.topics, "nothing released, nothing else sent");

        Task same = Fakes.task("p", 0, 1);
        bus.onPublish = (topic, message) -> deliver(
                reply(TaskTopics.replies("coord", ME), taskReply(((TaskRequest) message).requestId(), same)));
        assertSame(same, exchange.askForTask().task(), "blobs on the coordinator's own address are fine");
    }

    @Test
    void withoutATrustedCoordinatorNoTaskIsAskedForAndTheReasonIsTheAnswer() throws Exception {
        trust = new CoordinatorTrust.Decision(null, null, "coordinators a and b are both online");
        TaskReply reply = exchange.askForTask();
        assertEquals(TaskReply.Kind.NO_TASK, reply.kind());
        assertEquals("coordinators a and b are both online", reply.message());
        assertTrue(bus.topics.isEmpty(), "nothing published");
        deliver(reply(TaskTopics.replies("a", ME), noTask("x", 1))); // and answers are ignored
    }
}
