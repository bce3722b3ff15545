package org.daig.broker;

import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Properties;

import org.daig.api.account.Accounts;
import org.daig.api.bus.LocalBroker;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
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

import org.daig.tls.ServerTls;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.security.PermitAllAuthorizatorPolicy;
import io.moquette.interception.InterceptHandler;

/**
 * Runs Moquette (MQTT 3.1.1) inside the coordinator, so a single machine needs no broker install.
 *
 * <p>In "auto" mode the broker runs only while one of this process's DAIG MQTT connections points
 * at it (loopback host, same port). Pointing the coordinator at an external broker therefore turns
 * it off: one setting, not two that can disagree. It listens for configuration changes and follows.
 *
 * <p>Moquette's own persistence is off: its H2 store Java-deserializes session state (never from
 * the network, but it breaks across class loaders in OSGi), and nothing DAIG keeps on the broker
 * needs to survive a restart: clients republish their retained state when they reconnect.
 *
 * <p>Every client authenticates: user name = client id, password = its device token or the
 * coordinator's service token, checked by the {@link Accounts} service ({@link ClientAuthenticator});
 * what it may publish and subscribe to is {@link BrokerAcl}'s rule. Without an Accounts service
 * every client is refused, unless the operator opted out with {@code allowAnonymous=true}.
 *
 * <p>While it runs, the broker is also a {@link LocalBroker} service: the coordinator's bus in
 * this process exchanges its messages with it directly ({@link LocalRoute}).
 */
@Component(configurationPid = EmbeddedBrokerConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = ConfigurationListener.class)
@Designate(ocd = EmbeddedBrokerConfig.class)
public class EmbeddedBroker implements ConfigurationListener {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** Commands a session loop may hold: room for a burst from ten thousand providers (each a few hundred bytes). */
    static final int SESSION_QUEUE_SIZE = 65_536;
    /**
     * Connections the kernel may hold for the broker before it accepts them (Moquette's own: 128). When
     * thousands of providers reconnect at once, a full queue makes the kernel drop or defer their
     * handshakes and each waits a second or more to try again; Linux caps this at {@code net.core.somaxconn}.
     */
    static final int ACCEPT_QUEUE = 4096;
    static final String BUS_FACTORY_PID = "org.daig.transport.mqtt";

    @Reference
    private ConfigurationAdmin configurationAdmin;

    /** Looked up on every connect, so the accounts bundle may come, go and be updated while the broker runs. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Accounts accounts;

    /** The coordinator's TLS identity when TLS is on; the broker restarts (static, greedy) when it comes or goes. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    private ServerTls tls;

    private EmbeddedBrokerConfig config;
    private BundleContext context;
    private Server server;
    private LocalRoute route;
    private ServiceRegistration<LocalBroker> routeRegistration;
    /** False once deactivated: ConfigAdmin may still deliver an event queued before, which must not start a broker again. */
    private boolean active;

    @Activate
    synchronized void activate(BundleContext context, EmbeddedBrokerConfig config) {
        this.context = context;
        this.config = config;
        this.active = true;
        LOG.debug("Embedded MQTT broker configured: mode={} {}:{}", config.mode(), config.host(), config.port());
        reconsider();
    }

    @Deactivate
    synchronized void deactivate() {
        active = false;
        stop();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (BUS_FACTORY_PID.equals(event.getFactoryPid())) {
            reconsider();
        }
    }

    private synchronized void reconsider() {
        if (!active) {
            return;
        }
        boolean wanted = switch (config.mode().trim()) {
        case "on" -> true;
        case "off" -> false;
        default -> aConnectionPointsHere();
        };
        if (wanted && server == null) {
            start();
        } else if (!wanted && server != null) {
            LOG.info("Embedded MQTT broker stopping: no DAIG connection of this process points at it any more");
            stop();
        } else if (!wanted && "auto".equals(config.mode().trim())) {
            LOG.debug("Embedded MQTT broker off: the configured broker URL points elsewhere");
        }
    }

    private boolean aConnectionPointsHere() {
        try {
            Configuration[] busConfigs = configurationAdmin.listConfigurations("(service.factoryPid=" + BUS_FACTORY_PID + ")");
            if (busConfigs == null) {
                return false;
            }
            for (Configuration busConfig : busConfigs) {
                Object url = busConfig.getProperties() == null ? null : busConfig.getProperties().get("brokerUrl");
                String brokerUrl = url == null ? "tcp://127.0.0.1:1883" : url.toString();
                if (pointsAt(brokerUrl, config.port(), config.tlsPort())) {
                    return true;
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.warn("Embedded MQTT broker cannot read the connection configurations: {}", e.getMessage());
        }
        return false;
    }

    /** Whether a broker URL names this machine's loopback interface on {@code port} (tcp) or {@code tlsPort} (ssl). */
    static boolean pointsAt(String brokerUrl, int port, int tlsPort) {
        try {
            URI uri = new URI(brokerUrl.trim());
            String host = uri.getHost();
            boolean tls = "ssl".equals(uri.getScheme());
            int urlPort = uri.getPort() != -1 ? uri.getPort() : tls ? 8883 : 1883;
            return ("tcp".equals(uri.getScheme()) && urlPort == port || tls && urlPort == tlsPort) && host != null
                    && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1"));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private void start() {
        Properties properties = new Properties();
        properties.setProperty("host", config.host());
        properties.setProperty("port", Integer.toString(config.port()));
        if (tls != null) {
            properties.setProperty("ssl_port", Integer.toString(config.tlsPort()));
            properties.setProperty("jks_path", tls.keystore().toAbsolutePath().toString());
            properties.setProperty("key_store_type", "pkcs12");
            properties.setProperty("key_store_password", new String(tls.password()));
            properties.setProperty("key_manager_password", new String(tls.password()));
            if (!pointsAt("tcp://" + config.host() + ":" + config.port(), config.port(), config.tlsPort())) {
                properties.setProperty("port", "disabled"); // beyond loopback, only TLS
            }
        }
        properties.setProperty("websocket_port", "disabled");
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("telemetry_enabled", "false"); // Moquette phones home by default
        properties.setProperty("netty.mqtt.message_size", Integer.toString(config.maxMessageBytes()));
        // Moquette queues each session's commands on one of a few loops; at its default (1,024) a grid of thousands of
        // providers fills a loop's queue in a burst and Moquette drops what arrives ("Session command queue … is full")
        properties.setProperty("session_queue_size", Integer.toString(SESSION_QUEUE_SIZE));
        properties.setProperty("netty.so_backlog", Integer.toString(ACCEPT_QUEUE));
        // Without this Moquette lets a client without a user name in and never asks the authenticator.
        properties.setProperty("allow_anonymous", Boolean.toString(config.allowAnonymous()));
        Server candidate = new Server();
        IAuthenticator authenticator;
        IAuthorizatorPolicy policy;
        List<InterceptHandler> interceptors = new ArrayList<>();
        if (config.allowAnonymous()) {
            authenticator = (clientId, username, password) -> true;
            policy = new PermitAllAuthorizatorPolicy();
        } else {
            ClientAuthenticator clients = new ClientAuthenticator(() -> accounts);
            authenticator = clients;
            policy = new TopicPolicy(clients::identity);
            interceptors.add(new WillGuard(clients::identity));
            interceptors.add(new CoordinatorWindow(clients::identity, () -> candidate));
        }
        int port = config.port();
        int tlsPort = tls == null ? -1 : config.tlsPort();
        LocalRoute localRoute = new LocalRoute(url -> pointsAt(url, port, tlsPort));
        interceptors.add(localRoute); // from the start, so it sees every retained message
        try {
            candidate.startServer(new MemoryConfig(properties), interceptors, null, authenticator, policy);
            // before clients come: each one's subscriptions look through the retained messages
            RetainedIndex.install(candidate).ifPresent(localRoute::keepAsIn);
            server = candidate;
            route = localRoute;
            route.open(candidate);
            Hashtable<String, Object> routeProperties = new Hashtable<>();
            routeProperties.put("service.description", "DAIG embedded MQTT broker, in-process route");
            routeRegistration = context.registerService(LocalBroker.class, localRoute, routeProperties);
            if (config.allowAnonymous()) {
                LOG.warn("Embedded MQTT broker listening on tcp://{}:{} WITHOUT authentication (allowAnonymous=true): "
                        + "any client may pose as any provider or coordinator", config.host(), config.port());
            } else {
                    LOG.info("Embedded MQTT broker listening on {} (clients authenticate with their tokens{})", listeners(properties),
                        accounts == null ? "; no account service yet, so every client is refused for now" : "");
            }
        } catch (IOException | RuntimeException e) {
            // A failed start leaves netty threads behind; stop it to release them.
            try {
                candidate.stopServer();
            } catch (RuntimeException ignored) {
                // it never got far enough to have anything to stop
            }
            LOG.error("Embedded MQTT broker could not listen on {}:{}: {}. Another broker may be running there: "
                    + "stop it, change port in {}, or point the coordinator at it and set mode=off.",
                    config.host(), config.port(), describe(e), EmbeddedBrokerConfig.PID);
        }
    }

    private String listeners(Properties properties) {
        String plain = "disabled".equals(properties.getProperty("port")) ? "" : "tcp://" + config.host() + ":" + config.port();
        String secure = tls == null ? "" : "ssl://" + config.host() + ":" + config.tlsPort() + " (TLS, fingerprint " + tls.fingerprint() + ")";
        return plain.isEmpty() ? secure : secure.isEmpty() ? plain : plain + " and " + secure;
    }

    private void stop() {
        if (routeRegistration != null) {
            // first, so the bus of this process moves off the route before the broker goes
            try {
                routeRegistration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping and did it
            }
            routeRegistration = null;
            route.close();
            route = null;
        }
        if (server != null) {
            server.stopServer();
            server = null;
            LOG.info("Embedded MQTT broker stopped");
        }
    }

    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "address already in use";
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
