package org.daig.broker;

import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;

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
 */
@Component(configurationPid = EmbeddedBrokerConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = ConfigurationListener.class)
@Designate(ocd = EmbeddedBrokerConfig.class)
public class EmbeddedBroker implements ConfigurationListener {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    static final String BUS_FACTORY_PID = "org.daig.transport.mqtt";

    @Reference
    private ConfigurationAdmin configurationAdmin;

    private EmbeddedBrokerConfig config;
    private Server server;

    @Activate
    void activate(EmbeddedBrokerConfig config) {
        this.config = config;
        LOG.debug("Embedded MQTT broker configured: mode={} {}:{}", config.mode(), config.host(), config.port());
        reconsider();
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (BUS_FACTORY_PID.equals(event.getFactoryPid())) {
            reconsider();
        }
    }

    private synchronized void reconsider() {
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
                if (pointsAt(url == null ? "tcp://127.0.0.1:1883" : url.toString(), config.port())) {
                    return true;
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.warn("Embedded MQTT broker cannot read the connection configurations: {}", e.getMessage());
        }
        return false;
    }

    /** Whether a broker URL names this machine's loopback interface on {@code port}. */
    static boolean pointsAt(String brokerUrl, int port) {
        try {
            URI uri = new URI(brokerUrl.trim());
            String host = uri.getHost();
            int urlPort = uri.getPort() == -1 ? 1883 : uri.getPort();
            return "tcp".equals(uri.getScheme()) && urlPort == port && host != null
                    && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1"));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private void start() {
        Properties properties = new Properties();
        properties.setProperty("host", config.host());
        properties.setProperty("port", Integer.toString(config.port()));
        properties.setProperty("websocket_port", "disabled");
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("telemetry_enabled", "false"); // Moquette phones home by default
        properties.setProperty("netty.mqtt.message_size", Integer.toString(config.maxMessageBytes()));
        String passwordFile = config.passwordFile().trim();
        if (!passwordFile.isEmpty()) {
            if (!Files.isReadable(Path.of(passwordFile))) {
                LOG.error("Embedded MQTT broker not started: password file {} is not readable (fix passwordFile in {})",
                        passwordFile, EmbeddedBrokerConfig.PID);
                return;
            }
            properties.setProperty("password_file", passwordFile);
            properties.setProperty("allow_anonymous", "false");
        } else {
            properties.setProperty("allow_anonymous", "true");
        }
        Server candidate = new Server();
        try {
            candidate.startServer(new MemoryConfig(properties), List.of());
            server = candidate;
            LOG.info("Embedded MQTT broker listening on tcp://{}:{}{}", config.host(), config.port(),
                    passwordFile.isEmpty() ? " (anonymous clients allowed)" : " (password file " + passwordFile + ")");
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

    private void stop() {
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
