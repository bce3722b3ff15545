package org.daig.broker;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.daig.api.bus.LocalBroker;
import org.daig.api.bus.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.Server;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * The embedded broker's side door for the coordinator's own bus ({@link LocalBroker}): what the
 * bus publishes goes to Moquette's subscribers through {@link Server#internalPublish}, and what
 * clients publish reaches the bus from Moquette's publish interception, which sees a message only
 * once the broker accepted it (authenticated client, ACL, routed to its network subscribers).
 *
 * <p>Moquette keeps its retained messages out of reach, so the route keeps its own copy of them
 * (topic → payload) to hand a new subscription, as a broker does on subscribe.
 */
final class LocalRoute extends AbstractInterceptHandler implements LocalBroker {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRoute.class);
    /** Moquette names the publisher of an internal message in its log only. */
    private static final String PUBLISHER = "daig-local-route";

    private final Predicate<String> serves;
    /** The broker once it has started; null before and after. */
    private volatile Server server;
    /** The retained messages clients and local buses published, by absolute topic; also the lock that orders them. */
    private final Map<String, byte[]> retained = new ConcurrentHashMap<>();
    private final List<Attached> attached = new CopyOnWriteArrayList<>();
    /** Which retained messages to keep: those the broker's own store keeps, once it is known. */
    private volatile Predicate<String> keeps = RetainRule::keeps;

    LocalRoute(Predicate<String> serves) {
        this.serves = serves;
    }

    /**
     * Keeps a retained message only while {@code index} holds it. The broker stores a publish
     * before it tells interceptors, so the route then mirrors its rule and its per-provider cap.
     */
    void keepAsIn(RetainedIndex index) {
        keeps = index::holds;
    }

    /** The broker has started: buses may publish. */
    void open(Server started) {
        server = started;
    }

    /** The broker stops: publishing fails and deliveries end. */
    void close() {
        server = null;
        attached.forEach(Attached::close);
    }

    @Override
    public String getID() {
        return "daig-local-route";
    }

    @Override
    public Class<?>[] getInterceptedMessageTypes() {
        return new Class<?>[] {InterceptPublishMessage.class};
    }

    @Override
    public void onPublish(InterceptPublishMessage msg) {
        try {
            deliver(msg.getTopicName(), ByteBufUtil.getBytes(msg.getPayload()), msg.isRetainFlag());
        } finally {
            msg.getPayload().release(); // each interceptor gets a copy of its own to release
        }
    }

    @Override
    public void onSessionLoopError(Throwable error) {
        // WillGuard logs these
    }

    @Override
    public boolean serves(String brokerUrl) {
        return serves.test(brokerUrl);
    }

    @Override
    public boolean publish(String topic, byte[] payload, boolean retain) {
        Server broker = server;
        if (broker == null) {
            return false;
        }
        try {
            // messageId: QoS 1 needs one on the wire; Moquette gives each subscriber's copy its own
            broker.internalPublish(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).retained(retain)
                    .messageId(1).payload(Unpooled.wrappedBuffer(payload)).build(), PUBLISHER);
        } catch (IllegalStateException stopped) {
            return false;
        }
        deliver(topic, payload, retain); // Moquette tells interceptors only of clients' messages
        return true;
    }

    @Override
    public Subscriber attach(Receiver receiver) {
        Attached a = new Attached(receiver);
        attached.add(a);
        return a;
    }

    private void deliver(String topic, byte[] payload, boolean retain) {
        if (!retain) {
            attached.forEach(a -> a.offer(topic, payload));
            return;
        }
        // under the lock a new subscription takes, so it gets each retained message once: stored, or live after it subscribed
        synchronized (retained) {
            if (payload.length == 0 || !keeps.test(topic)) { // cleared, or not kept by the broker: passed on only
                retained.remove(topic);
            } else {
                retained.put(topic, payload);
            }
            attached.forEach(a -> a.offer(topic, payload));
        }
    }

    private final class Attached implements Subscriber {
        private final Receiver receiver;
        private final Set<String> filters = ConcurrentHashMap.newKeySet();
        private volatile boolean closed;

        Attached(Receiver receiver) {
            this.receiver = receiver;
        }

        void offer(String topic, byte[] payload) {
            if (closed) {
                return;
            }
            for (String filter : filters) { // on every message the route carries: a plain loop, no stream
                if (Topics.matches(filter, topic)) {
                    hand(topic, payload, false); // as to an MQTT subscriber: the retain flag only on what a new subscription gets
                    return;
                }
            }
        }

        private void hand(String topic, byte[] payload, boolean retain) {
            try {
                receiver.received(topic, payload, retain);
            } catch (RuntimeException e) {
                LOG.error("Embedded MQTT broker: a local receiver failed on {}", Printable.of(topic), e);
            }
        }

        @Override
        public void subscribe(Collection<String> added) {
            synchronized (retained) {
                filters.addAll(added);
                retained.forEach((topic, payload) -> {
                    if (added.stream().anyMatch(f -> Topics.matches(f, topic))) {
                        hand(topic, payload, true);
                    }
                });
            }
        }

        @Override
        public void unsubscribe(Collection<String> removed) {
            filters.removeAll(removed);
        }

        @Override
        public void close() {
            closed = true;
            attached.remove(this);
        }
    }
}
