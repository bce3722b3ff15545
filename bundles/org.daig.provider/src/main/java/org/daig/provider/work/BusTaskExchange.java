package org.daig.provider.work;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
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
import org.daig.provider.CoordinatorTrust;
import org.daig.provider.ProviderAgent;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task exchange on the provider's bus. Every request carries a fresh id; a coordinator's reply
 * is taken only when it is addressed to this provider and answers a request still waiting here, so
 * a late, foreign or replayed reply can never be mistaken for the answer to another request.
 *
 * <p>Only the coordinator the provider trusts ({@link CoordinatorTrust}: the configured one, or the
 * only one online, pinned) is listened to: a reply from any other coordinator id is ignored, and a
 * task whose blobs are not on the trusted coordinator's announced HTTP side is refused (nothing is
 * downloaded, nothing given back), as the worker would parse whatever is there. The broker's ACL
 * (docs/protocol.md) already keeps non-coordinators off the coordinators' topics; this is the
 * provider's own check, for brokers without one.
 */
@Component(service = { TaskExchange.class, MessageHandler.class }, property = {
        MessageHandler.TOPICS + "=coordinators/+/to/{clientId}/tasks", // the bus puts in its client id
        MessageHandler.BUS_ROLE + "=" + Topics.PROVIDER })
public class BusTaskExchange implements TaskExchange, MessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BusTaskExchange.class);
    static final long REPLY_TIMEOUT_MS = 5000;
    /**
     * How long the coordinator may hold a task request until a task appears (a long poll): an
     * idle grid then costs a request per provider every 10 s, not every half second, and a new
     * round's tasks go out the moment they exist.
     */
    static final long REQUEST_WAIT_MS = 10_000;
    /** How soon to look again when no coordinator can be trusted or a task was refused. */
    static final long UNTRUSTED_RETRY_MS = 5000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + MessageBus.ROLE + "=" + Topics.PROVIDER + ")")
    private volatile MessageBus bus;

    @Reference
    private ProviderAgent agent;

    private final Map<String, CompletableFuture<TaskReply>> pending = new ConcurrentHashMap<>();
    private final long replyTimeoutMs;
    private final long requestWaitMs;
    private final Supplier<CoordinatorTrust.Decision> trust;
    /** What was already said at WARN, so a repeating cause is one line (bounded: ids and reasons are few). */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public BusTaskExchange() {
        this.replyTimeoutMs = REPLY_TIMEOUT_MS;
        this.requestWaitMs = REQUEST_WAIT_MS;
        this.trust = () -> agent.trust();
    }

    /** For tests: a given bus, a given trust and a short wait for replies; task requests ask to be answered at once. */
    BusTaskExchange(MessageBus bus, long replyTimeoutMs, Supplier<CoordinatorTrust.Decision> trust) {
        this(bus, 0, replyTimeoutMs, trust);
    }

    /** For tests: task requests the coordinator may hold for {@code requestWaitMs}. */
    BusTaskExchange(MessageBus bus, long requestWaitMs, long replyTimeoutMs, Supplier<CoordinatorTrust.Decision> trust) {
        this.bus = bus;
        this.requestWaitMs = requestWaitMs;
        this.replyTimeoutMs = replyTimeoutMs;
        this.trust = trust;
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
        CoordinatorTrust.Decision decision = trust.get();
        if (!decision.trusted()) {
            warnOnce("refusal " + decision.refusal(), "Provider takes no task: {}", decision.refusal());
            return new TaskReply(requestId, TaskReply.Kind.NO_TASK, null, decision.refusal(), UNTRUSTED_RETRY_MS, 0);
        }
        // a coordinator before the long poll ignores waitMs and answers at once
        return exchange(TaskTopics::requests, new TaskRequest(requestId, 0, requestWaitMs), requestId, requestWaitMs + replyTimeoutMs);
    }

    @Override
    public TaskReply sendResult(TaskResult result) throws InterruptedException {
        return exchange(TaskTopics::results, result, result.requestId(), replyTimeoutMs);
    }

    @Override
    public void release(Task task, String reason) {
        MessageBus b = bus;
        if (b != null) {
            b.publish(TaskTopics.releases(b.clientId()), new TaskRelease(UUID.randomUUID().toString(), task.leaseId(), reason), false);
        }
    }

    private TaskReply exchange(UnaryOperator<String> topicOfProvider, Object message, String requestId, long waitMs)
            throws InterruptedException {
        CompletableFuture<TaskReply> reply = new CompletableFuture<>();
        pending.put(requestId, reply); // before publishing: a fast reply must find its request waiting
        try {
            MessageBus b = bus;
            if (b == null || !b.publish(topicOfProvider.apply(b.clientId()), message, false)) {
                return null;
            }
            return reply.get(waitMs, TimeUnit.MILLISECONDS);
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
        String from = Topics.segment(message.topic(), 1);
        CoordinatorTrust.Decision decision = trust.get();
        if (!decision.trusted() || !decision.id().equals(from)) {
            warnOnce("coordinator " + from, "Provider ignored a task answer from coordinator {}: {}", from,
                    decision.trusted() ? "it works for " + decision.id() : decision.refusal());
            return;
        }
        TaskReply reply = message.decode(TaskReply.class);
        CompletableFuture<TaskReply> waiting = pending.get(reply.requestId());
        if (waiting == null) {
            return;
        }
        if (reply.kind() == TaskReply.Kind.TASK && reply.task() != null
                && !CoordinatorTrust.blobsAtCoordinator(decision, reply.task().blobBaseUrl())) {
            String why = "refused a task of coordinator " + from + ": its blob URL " + reply.task().blobBaseUrl()
                    + " is not on the coordinator's announced address " + decision.statusUrl();
            warnOnce("blobs " + from + " " + reply.task().blobBaseUrl(), "Provider {}", why);
            waiting.complete(new TaskReply(reply.requestId(), TaskReply.Kind.NO_TASK, null, why, UNTRUSTED_RETRY_MS, 0));
            return;
        }
        waiting.complete(reply);
    }

    private void warnOnce(String key, String format, Object... args) {
        if (warned.size() > 100) {
            warned.clear();
        }
        if (warned.add(key)) {
            LOG.warn(format, args);
        } else {
            LOG.debug(format, args);
        }
    }
}
