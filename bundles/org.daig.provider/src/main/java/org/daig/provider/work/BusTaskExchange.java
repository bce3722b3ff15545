package org.daig.provider.work;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

import org.daig.api.bus.IncomingMessage;
import org.daig.api.bus.MalformedMessageException;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.MessageHandler;
import org.daig.api.bus.Topics;
import org.daig.api.task.Task;
import org.daig.api.task.TaskRelease;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskRequest;
import org.daig.api.task.TaskResult;
import org.daig.api.task.TaskTopics;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The task exchange on the provider's bus. Every request carries a fresh id; a coordinator's reply
 * is taken only when it is addressed to this provider and answers a request still waiting here, so
 * a late, foreign or replayed reply can never be mistaken for the answer to another request.
 */
@Component(service = { TaskExchange.class, MessageHandler.class }, property = {
        MessageHandler.TOPICS + "=coordinators/+/to/+/tasks",
        MessageHandler.BUS_ROLE + "=" + Topics.PROVIDER })
public class BusTaskExchange implements TaskExchange, MessageHandler {

    static final long REPLY_TIMEOUT_MS = 5000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + MessageBus.ROLE + "=" + Topics.PROVIDER + ")")
    private volatile MessageBus bus;

    private final Map<String, CompletableFuture<TaskReply>> pending = new ConcurrentHashMap<>();
    private final long replyTimeoutMs;

    public BusTaskExchange() {
        this.replyTimeoutMs = REPLY_TIMEOUT_MS;
    }

    /** For tests: a given bus and a short wait for replies. */
    BusTaskExchange(MessageBus bus, long replyTimeoutMs) {
        this.bus = bus;
        this.replyTimeoutMs = replyTimeoutMs;
    }

    @Override
    public boolean isConnected() {
        MessageBus b = bus;
        return b != null && b.isConnected();
    }

    @Override
    public String brokerUrl() {
        MessageBus b = bus;
        return b == null ? null : b.brokerUrl();
    }

    @Override
    public TaskReply askForTask() throws InterruptedException {
        String requestId = UUID.randomUUID().toString();
        return exchange(TaskTopics::requests, new TaskRequest(requestId, 0), requestId);
    }

    @Override
    public TaskReply sendResult(TaskResult result) throws InterruptedException {
        return exchange(TaskTopics::results, result, result.requestId());
    }

    @Override
    public void release(Task task, String reason) {
        MessageBus b = bus;
        if (b != null) {
            b.publish(TaskTopics.releases(b.clientId()), new TaskRelease(UUID.randomUUID().toString(), task.leaseId(), reason), false);
        }
    }

    private TaskReply exchange(UnaryOperator<String> topicOfProvider, Object message, String requestId)
            throws InterruptedException {
        CompletableFuture<TaskReply> reply = new CompletableFuture<>();
        pending.put(requestId, reply); // before publishing: a fast reply must find its request waiting
        try {
            MessageBus b = bus;
            if (b == null || !b.publish(topicOfProvider.apply(b.clientId()), message, false)) {
                return null;
            }
            return reply.get(replyTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } finally {
            pending.remove(requestId);
        }
    }

    @Override
    public void onMessage(IncomingMessage message) throws MalformedMessageException {
        if (message.isEmpty() || !message.bus().clientId().equals(Topics.segment(message.topic(), 3))) {
            return; // a reply to another provider on the same broker
        }
        TaskReply reply = message.decode(TaskReply.class);
        CompletableFuture<TaskReply> waiting = pending.get(reply.requestId());
        if (waiting != null) {
            waiting.complete(reply);
        }
    }
}
