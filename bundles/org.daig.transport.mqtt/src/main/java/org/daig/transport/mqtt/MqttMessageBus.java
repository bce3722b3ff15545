package org.daig.transport.mqtt;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.daig.api.bus.BusListener;
import org.daig.api.bus.IncomingMessage;
import org.daig.api.bus.LocalBroker;
import org.daig.api.bus.MalformedMessageException;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.MessageHandler;
import org.daig.api.bus.Topics;
import org.daig.api.cluster.Leadership;
import org.daig.api.presence.Presence;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.daig.trust.KnownCoordinators;
import org.daig.trust.PinnedTrust;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageBus} on Eclipse Paho (MQTT 3.1.1, QoS 1).
 *
 * <p>All connection work, subscription changes and message dispatch run on one thread per bus, so
 * handlers see messages in arrival order and never race with reconnects. The bus reconnects by
 * itself with exponential back-off (with jitter, so a fleet does not reconnect in lockstep) and
 * re-subscribes every handler's topics after each connect with a clean session.
 *
 * <p>The MessageBus service is registered by hand rather than by DS because its service
 * properties include the client id, which may be generated at activation.
 *
 * <p>A handler's topic filter may name the bus's own client id as the segment {@value #OWN_ID}
 * (e.g. {@code coordinators/+/to/{clientId}/tasks}): a broker ACL lets a provider subscribe only
 * to what is addressed to it, not to everyone's replies.
 *
 * <p>When its broker is the embedded one of this process ({@link LocalBroker}), the bus publishes
 * its messages through it directly and takes its subscriptions there too, all but those that may
 * match a presence topic: those stay on the network connection, the only way the broker's last
 * wills reach a subscriber. The connection itself stays, for this bus's own will, those filters
 * and its retained messages (presence, announcements), which are few.
 */
@Component(configurationPid = MqttBusConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = MqttBusConfig.class, factory = true)
public class MqttMessageBus implements MessageBus, MqttCallbackExtended {

    private static final Logger LOG = LoggerFactory.getLogger(MqttMessageBus.class);
    private static final int QOS = 1;
    /**
     * QoS 1 messages that may wait for the broker's acknowledgement at once (Paho's limit): a
     * coordinator answers thousands of providers in bursts, and a full window drops replies.
     */
    private static final int MAX_INFLIGHT = 65_535;
    private static final long CLOSE_WAIT_MILLIS = 2000;
    /** Stands for the bus's client id in a handler's topic filter. */
    static final String OWN_ID = "{clientId}";

    private final List<HandlerEntry> handlers = new CopyOnWriteArrayList<>();
    private final List<ListenerEntry> listeners = new CopyOnWriteArrayList<>();

    /**
     * Optional, so a provider's connection ignores it; the coordinator's configuration sets
     * {@code leader.cardinality.minimum=1}, so that connection exists only while this process acts
     * for the grid (a standby coordinator stays off the broker, and one that loses the lead leaves it).
     */
    @Reference(name = "leader", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.STATIC)
    private Leadership leader;

    /** The embedded broker of this process while it runs (static, greedy: the bus restarts when it comes or goes). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.STATIC, policyOption = ReferencePolicyOption.GREEDY)
    private LocalBroker localBroker;

    private MqttBusConfig config;
    private String role;
    private String clientId;
    private String root;
    private Path dataDir;
    private JsonCodec codec;
    private MqttAsyncClient client;
    /** The embedded broker when this bus's URL names it and the route is on; else null. */
    private LocalBroker local;
    /** This bus's subscriptions on {@link #local}, once the connection is up (bus thread). */
    private volatile LocalBroker.Subscriber routed;
    private ScheduledExecutorService worker;
    private ServiceRegistration<MessageBus> registration;
    private volatile boolean closing;
    private volatile long connectedSince;
    private long nextRetryMillis;
    private int failedAttempts;
    private String lastFailure;
    private long lastFailureLoggedAt;

    private record HandlerEntry(MessageHandler handler, List<String> filters, String role) {
    }

    private record ListenerEntry(BusListener listener, String role) {
    }

    @Activate
    void activate(BundleContext context, MqttBusConfig config) {
        this.config = config;
        this.role = config.role().trim();
        this.root = trimSlashes(config.topicRoot());
        this.codec = new JsonCodec(config.maxPayloadBytes());
        this.dataDir = dataDir(context);
        this.local = config.localRoute() && localBroker != null && localBroker.serves(config.brokerUrl().trim()) ? localBroker : null;
        if (!Topics.isValidSegment(role)) {
            LOG.error("MQTT connection not started: role '{}' in {} is not a valid name (use letters, digits, '.', '_', '-')",
                    role, MqttBusConfig.PID);
            return;
        }
        try {
            clientId = config.clientId().isBlank()
                    ? ClientIds.loadOrCreate(dataDir(context).resolve(role + ".client-id"), role)
                    : config.clientId().trim();
        } catch (IOException e) {
            LOG.error("MQTT connection not started: cannot keep the client id in {}: {}", dataDir(context), e.getMessage());
            return;
        }
        if (!Topics.isValidSegment(clientId)) {
            LOG.error("MQTT connection not started: client id '{}' in {} is not valid (1-64 letters, digits, '.', '_', '-')",
                    clientId, MqttBusConfig.PID);
            return;
        }
        try {
            client = new MqttAsyncClient(config.brokerUrl().trim(), clientId, new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            LOG.error("MQTT connection not started: broker URL '{}' in {} is not usable: {} (expected tcp://host:port or ssl://host:port)",
                    config.brokerUrl(), MqttBusConfig.PID, e.getMessage());
            return;
        }
        client.setCallback(this);
        worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "daig-bus-" + clientId);
            thread.setDaemon(true);
            return thread;
        });
        nextRetryMillis = config.retryInitialMillis();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ROLE, role);
        properties.put(CLIENT_ID, clientId);
        properties.put("service.description", "DAIG MQTT bus " + role + " " + clientId + " @ " + brokerUrl());
        registration = context.registerService(MessageBus.class, this, properties);
        LOG.info("MQTT bus {} ({}) connecting to {} under {}/{}{}", clientId, role, brokerUrl(), root,
                leader != null ? "; this coordinator " + leader.how() : "", local != null ? " (in-process route to the embedded broker)" : "");
        worker.execute(this::connect);
        if (config.presenceRepeatSeconds() > 0) {
            // brokers that keep retained messages from wildcard subscribers (RabbitMQ) learn of us only from repeats
            worker.scheduleWithFixedDelay(this::repeatPresence, config.presenceRepeatSeconds(), config.presenceRepeatSeconds(), TimeUnit.SECONDS);
        }
    }

    @Deactivate
    void deactivate() {
        closing = true;
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is shutting down and did it for us
            }
            registration = null;
        }
        ExecutorService w = worker;
        if (w != null) {
            try {
                w.submit(this::close).get(CLOSE_WAIT_MILLIS * 3, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // e.g. the bus thread is still inside a connect attempt: drop the connection hard
                LOG.warn("MQTT bus {} did not close cleanly ({}); closing it forcibly", clientId, e.toString());
                try {
                    client.disconnectForcibly(0, 0, false);
                    client.close(true);
                } catch (MqttException | RuntimeException ignored) {
                    // nothing more can be done; the process may be stopping anyway
                }
            }
            w.shutdownNow();
        }
    }

    private void repeatPresence() {
        if (!closing && client.isConnected()) {
            publish(Topics.presence(role, clientId), new Presence(clientId, role, true, connectedSince, null), true);
        }
    }

    // ---- connection ----------------------------------------------------------------------

    private void connect() {
        if (closing || client.isConnected()) {
            return;
        }
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false); // our own loop also covers the first connect
        options.setKeepAliveInterval(config.keepAliveSeconds());
        options.setConnectionTimeout(config.connectTimeoutSeconds());
        options.setMaxInflight(MAX_INFLIGHT);
        if (config.brokerUrl().trim().startsWith("ssl://")) {
            // the pin decides whom to trust; names do not (volunteers reach a coordinator by whatever address works)
            PinnedTrust trust = config.trustFile().isBlank() ? KnownCoordinators.trust(URI.create(config.brokerUrl().trim()), config.fingerprint())
                    : new PinnedTrust(dataDir.resolve(config.trustFile().trim()), config.fingerprint());
            options.setSocketFactory(trust.sslContext().getSocketFactory());
            options.setHttpsHostnameVerificationEnabled(false);
        }
        try {
            Credentials credentials = Credentials.of(config.username(), config._password(), config.passwordFile(), clientId, dataDir);
            if (credentials.username() != null) {
                options.setUserName(credentials.username());
                options.setPassword(credentials.password());
            }
        } catch (Credentials.Unavailable e) {
            retryLater(e); // e.g. a provider that has not enrolled yet: the file appears later
            return;
        }
        long attemptAt = System.currentTimeMillis();
        options.setWill(absolute(Topics.presence(role, clientId)),
                codec.encode(new Presence(clientId, role, false, attemptAt, "connection lost")), QOS, true);
        try {
            client.connect(options).waitForCompletion((config.connectTimeoutSeconds() + 2) * 1000L);
        } catch (MqttException e) {
            retryLater(e);
            return;
        }
        if (!client.isConnected()) {
            retryLater(new MqttException(MqttException.REASON_CODE_CLIENT_TIMEOUT));
            return;
        }
        connectedSince = attemptAt;
        if (failedAttempts > 0) {
            LOG.info("MQTT bus {} connected to {} after {} failed attempt(s)", clientId, brokerUrl(), failedAttempts);
        } else {
            LOG.info("MQTT bus {} connected to {}", clientId, brokerUrl());
        }
        failedAttempts = 0;
        lastFailure = null;
        nextRetryMillis = config.retryInitialMillis();
        if (local != null && routed == null) {
            routed = local.attach((topic, payload, retained) -> worker.execute(() -> dispatch(topic, payload, retained)));
        }
        publish(Topics.presence(role, clientId), new Presence(clientId, role, true, attemptAt, null), true);
        subscribe(allFilters());
        for (ListenerEntry entry : listeners) {
            notifyConnected(entry);
        }
    }

    private void retryLater(Throwable failure) {
        if (closing) {
            return;
        }
        failedAttempts++;
        long delay = nextRetryMillis + ThreadLocalRandom.current().nextLong(nextRetryMillis / 4 + 1);
        nextRetryMillis = Math.min(config.retryMaxMillis(), nextRetryMillis * 2);
        // One line when the reason changes, then one a minute: a broker that is down for an hour
        // should not fill the log.
        String reason = ConnectFailures.describe(failure);
        long now = System.currentTimeMillis();
        if (!reason.equals(lastFailure) || now - lastFailureLoggedAt >= 60_000) {
            LOG.warn("MQTT bus {} cannot connect to {}: {}; retrying in {} s{}", clientId, brokerUrl(), reason,
                    String.format("%.1f", delay / 1000.0), failedAttempts > 1 ? " (attempt " + failedAttempts + ")" : "");
            lastFailure = reason;
            lastFailureLoggedAt = now;
        } else {
            LOG.debug("MQTT bus {} cannot connect to {}: {} (attempt {})", clientId, brokerUrl(), reason, failedAttempts);
        }
        worker.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void connectionLost(Throwable cause) {
        if (closing) {
            return;
        }
        String reason = ConnectFailures.describe(cause);
        LOG.warn("MQTT bus {} lost its connection to {}: {}; reconnecting", clientId, brokerUrl(), reason);
        worker.execute(() -> {
            for (ListenerEntry entry : listeners) {
                notifyDisconnected(entry, reason);
            }
            retryLater(cause);
        });
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        // connect() does the follow-up work on the bus thread
    }

    private void close() {
        for (ListenerEntry entry : listeners) {
            notifyDisconnected(entry, "shut down");
        }
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                // A clean disconnect suppresses the last will, so say "offline" ourselves.
                // "since" is the connect time, as in the will: it names the connection that ends
                IMqttDeliveryToken token = client.publish(absolute(Topics.presence(role, clientId)),
                        codec.encode(new Presence(clientId, role, false, connectedSince, "shut down")), QOS, true);
                token.waitForCompletion(CLOSE_WAIT_MILLIS);
                client.disconnect(CLOSE_WAIT_MILLIS).waitForCompletion(CLOSE_WAIT_MILLIS);
            }
        } catch (MqttException e) {
            LOG.debug("MQTT bus {} disconnect: {}", clientId, e.toString());
        }
        if (routed != null) {
            routed.close();
            routed = null;
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("MQTT bus {} close: {}", clientId, e.toString());
        }
        LOG.info("MQTT bus {} closed", clientId);
    }

    // ---- subscriptions and dispatch --------------------------------------------------------

    private Set<String> allFilters() {
        Set<String> filters = new LinkedHashSet<>();
        for (HandlerEntry entry : handlers) {
            if (accepts(entry.role())) {
                filters.addAll(own(entry.filters()));
            }
        }
        return filters;
    }

    /** Whether one of the handler's filters matches: on every message, so without a stream or a copy of the filters. */
    private boolean wants(HandlerEntry entry, String topic) {
        for (String filter : entry.filters()) {
            if (Topics.matches(filter.contains(OWN_ID) ? filter.replace(OWN_ID, clientId) : filter, topic)) {
                return true;
            }
        }
        return false;
    }

    /** The filters with {@value #OWN_ID} replaced by this bus's client id. */
    private List<String> own(List<String> filters) {
        return filters.stream().map(f -> f.replace(OWN_ID, clientId)).toList();
    }

    private void subscribe(Set<String> all) {
        if (all.isEmpty() || !client.isConnected()) {
            return;
        }
        List<String> filters = new ArrayList<>();
        List<String> routedFilters = new ArrayList<>();
        for (String filter : all) {
            (onConnection(filter) ? filters : routedFilters).add(absolute(filter));
        }
        if (!routedFilters.isEmpty()) {
            routed.subscribe(routedFilters);
        }
        if (filters.isEmpty()) {
            return;
        }
        String[] absolute = filters.toArray(String[]::new);
        int[] qos = new int[absolute.length];
        Arrays.fill(qos, QOS);
        try {
            IMqttToken token = client.subscribe(absolute, qos);
            token.waitForCompletion(config.connectTimeoutSeconds() * 1000L);
            int[] granted = token.getGrantedQos();
            for (int i = 0; granted != null && i < granted.length && i < absolute.length; i++) {
                if (granted[i] == 0x80) {
                    LOG.error("MQTT bus {}: the broker refused the subscription to {} (check the ACL for this user)",
                            clientId, absolute[i]);
                }
            }
        } catch (MqttException e) {
            LOG.warn("MQTT bus {}: subscribing to {} failed: {}", clientId, filters, ConnectFailures.describe(e));
        }
    }

    private void unsubscribeUnused(List<String> filters) {
        if (worker == null || closing) {
            return;
        }
        worker.execute(() -> {
            Set<String> stillUsed = allFilters();
            List<String> unused = new ArrayList<>();
            List<String> unusedRouted = new ArrayList<>();
            for (String filter : own(filters)) {
                if (!stillUsed.contains(filter)) {
                    (onConnection(filter) ? unused : unusedRouted).add(absolute(filter));
                }
            }
            if (!unusedRouted.isEmpty() && routed != null) {
                routed.unsubscribe(unusedRouted);
            }
            if (!unused.isEmpty() && client.isConnected()) {
                try {
                    client.unsubscribe(unused.toArray(String[]::new));
                } catch (MqttException e) {
                    LOG.debug("MQTT bus {}: unsubscribe {} failed: {}", clientId, unused, e.toString());
                }
            }
        });
    }

    /**
     * Whether a filter is subscribed on the network connection rather than on the in-process
     * route: always without the route, and with it for a filter that may match a presence topic
     * ({@code {role}s/{clientId}/presence}), whose last wills the broker sends only to network subscribers.
     */
    boolean onConnection(String filter) {
        return local == null || mayMatchPresence(filter);
    }

    static boolean mayMatchPresence(String filter) {
        String[] f = filter.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return i <= 3; // "#" also matches nothing: a/b/presence/# matches a/b/presence
            }
            if (i == 2 && !f[i].equals("+") && !f[i].equals("presence") || i == 3) {
                return false;
            }
        }
        return f.length == 3;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        byte[] payload = message.getPayload();
        boolean retained = message.isRetained();
        worker.execute(() -> dispatch(topic, payload, retained));
    }

    private void dispatch(String absoluteTopic, byte[] payload, boolean retained) {
        if (absoluteTopic.length() <= root.length() || !absoluteTopic.startsWith(root) || absoluteTopic.charAt(root.length()) != '/') {
            return;
        }
        String topic = absoluteTopic.substring(root.length() + 1);
        Incoming incoming = new Incoming(topic, payload, retained);
        boolean handled = false;
        for (HandlerEntry entry : handlers) {
            if (!accepts(entry.role()) || !wants(entry, topic)) {
                continue;
            }
            handled = true;
            try {
                entry.handler().onMessage(incoming);
            } catch (MalformedMessageException e) {
                LOG.warn("MQTT bus {}: dropped a malformed message on {}: {}", clientId, absoluteTopic, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("MQTT bus {}: handler {} failed on {}", clientId, entry.handler().getClass().getName(), absoluteTopic, e);
            }
        }
        if (!handled) {
            LOG.debug("MQTT bus {}: no handler for {}", clientId, absoluteTopic);
        }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // QoS 1 acknowledgements need no action
    }

    private final class Incoming implements IncomingMessage {
        private final String topic;
        private final byte[] payload;
        private final boolean retained;

        Incoming(String topic, byte[] payload, boolean retained) {
            this.topic = topic;
            this.payload = payload;
            this.retained = retained;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public boolean retained() {
            return retained;
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean isEmpty() {
            return payload.length == 0;
        }

        @Override
        public MessageBus bus() {
            return MqttMessageBus.this;
        }

        @Override
        public <T> T decode(Class<T> type) throws MalformedMessageException {
            return codec.decode(payload, type);
        }
    }

    // ---- whiteboard ------------------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHandler(MessageHandler handler, Map<String, Object> properties) {
        List<String> filters = new ArrayList<>();
        for (String filter : strings(properties.get(MessageHandler.TOPICS))) {
            if (filter.isBlank() || filter.startsWith("/")) {
                LOG.error("Message handler {} has an invalid topic filter '{}': filters are relative to the topic root",
                        handler.getClass().getName(), filter);
            } else {
                filters.add(filter);
            }
        }
        String handlerRole = (String) properties.get(MessageHandler.BUS_ROLE);
        handlers.add(new HandlerEntry(handler, List.copyOf(filters), handlerRole));
        if (worker != null && accepts(handlerRole)) {
            // Subscribing again also makes the broker resend retained messages for the newcomer.
            worker.execute(() -> subscribe(new LinkedHashSet<>(own(filters))));
        }
    }

    void removeHandler(MessageHandler handler) {
        for (HandlerEntry entry : handlers) {
            if (entry.handler() == handler) {
                handlers.remove(entry);
                unsubscribeUnused(entry.filters());
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(BusListener listener, Map<String, Object> properties) {
        ListenerEntry entry = new ListenerEntry(listener, (String) properties.get(MessageHandler.BUS_ROLE));
        listeners.add(entry);
        if (worker != null) {
            worker.execute(() -> {
                if (client.isConnected()) {
                    notifyConnected(entry);
                }
            });
        }
    }

    void removeListener(BusListener listener) {
        listeners.removeIf(entry -> entry.listener() == listener);
    }

    private void notifyConnected(ListenerEntry entry) {
        if (!accepts(entry.role()) || !listeners.contains(entry)) {
            return;
        }
        try {
            entry.listener().connected(this);
        } catch (RuntimeException e) {
            LOG.error("MQTT bus {}: listener {} failed", clientId, entry.listener().getClass().getName(), e);
        }
    }

    private void notifyDisconnected(ListenerEntry entry, String reason) {
        if (!accepts(entry.role())) {
            return;
        }
        try {
            entry.listener().disconnected(this, reason);
        } catch (RuntimeException e) {
            LOG.error("MQTT bus {}: listener {} failed", clientId, entry.listener().getClass().getName(), e);
        }
    }

    private boolean accepts(String wantedRole) {
        return wantedRole == null || wantedRole.equals(role);
    }

    // ---- MessageBus ------------------------------------------------------------------------

    @Override
    public String role() {
        return role;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public boolean isConnected() {
        return client != null && client.isConnected();
    }

    @Override
    public String brokerUrl() {
        return config.brokerUrl().trim();
    }

    /** When the current connection was made (epoch ms), 0 if never. */
    long connectedSince() {
        return connectedSince;
    }

    @Override
    public boolean publish(String topic, Object message, boolean retained) {
        return send(topic, codec.encode(message), retained);
    }

    @Override
    public boolean clearRetained(String topic) {
        return send(topic, new byte[0], true);
    }

    private boolean send(String topic, byte[] payload, boolean retained) {
        if (topic.contains("+") || topic.contains("#")) {
            throw new IllegalArgumentException("Cannot publish to a topic filter: " + topic);
        }
        // retained state goes over the connection: Moquette 0.17 routes a message before it stores it as retained, so a
        // subscription made in between gets neither; a client's publish is slow enough to miss that window, an in-process one was not
        LocalBroker.Subscriber viaRoute = routed;
        if (viaRoute != null && !retained) {
            return local.publish(absolute(topic), payload, false);
        }
        if (!isConnected()) {
            LOG.debug("MQTT bus {} not connected: dropped message to {}", clientId, topic);
            return false;
        }
        try {
            client.publish(absolute(topic), payload, QOS, retained);
            return true;
        } catch (MqttException e) {
            LOG.warn("MQTT bus {}: publishing to {} failed: {}", clientId, topic, ConnectFailures.describe(e));
            return false;
        }
    }

    private String absolute(String relativeTopic) {
        return root + "/" + relativeTopic;
    }

    // ---- helpers ---------------------------------------------------------------------------

    static Path dataDir(BundleContext context) {
        String dir = context.getProperty("daig.data.dir");
        return Path.of(dir == null || dir.isBlank() ? "data" : dir);
    }

    private static String trimSlashes(String topicRoot) {
        String trimmed = topicRoot.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        return trimmed.isEmpty() ? Topics.DEFAULT_ROOT : trimmed;
    }

    private static List<String> strings(Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof String[] array) {
            return List.of(array);
        }
        if (value instanceof java.util.Collection<?> collection) {
            return collection.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
