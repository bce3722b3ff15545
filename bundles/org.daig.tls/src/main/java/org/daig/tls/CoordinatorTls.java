package org.daig.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.osgi.framework.BundleContext;
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
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns TLS on for the coordinator when it listens beyond loopback (or when told to): makes or
 * reads the certificate, switches Felix HTTP to HTTPS only on the same port, and registers
 * {@link ServerTls} for the MQTT broker. A loopback-only coordinator stays plain and says so.
 * <p>
 * It decides once it has both its own configuration (required: config/org.daig.tls.cfg, so that
 * defaults never decide before the file is read) and the HTTP listener's, since "auto" depends on
 * the listener's host. The decision is then registered with {@code daig.http.scheme}: the
 * coordinator's ready line waits for it (org.daig.runtime's ReadyLine, {@code daig.ready.after}),
 * so it names the URL that stays.
 */
@Component(configurationPid = TlsConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = ConfigurationListener.class)
@Designate(ocd = TlsConfig.class)
public class CoordinatorTls implements ConfigurationListener {

    static final String HTTP_PID = "org.apache.felix.http";
    static final String HTTP_HOST = "org.apache.felix.http.host";
    static final String HTTP_PORT = "org.osgi.service.http.port";

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorTls.class);

    @Reference
    private ConfigurationAdmin configurationAdmin;

    /** What the ready line waits for: the listener's scheme is decided (see the class comment). */
    record Decided(String scheme) {
    }

    private TlsConfig config;
    private BundleContext context;
    private ServerKeystore keystore;
    private ServiceRegistration<ServerTls> registration;
    private ServiceRegistration<Decided> decided;

    @Activate
    void activate(TlsConfig config, BundleContext context) {
        this.config = config;
        this.context = context;
        if (httpConfigured()) {
            decide();
        } else {
            LOG.info("TLS waits for the HTTP listener's configuration ({}.cfg) to decide", HTTP_PID);
        }
    }

    private synchronized void decide() {
        if (decided != null) {
            return;
        }
        String host = httpProperty(HTTP_HOST).orElse(context.getProperty(HTTP_HOST));
        if (!wanted(config.mode(), host)) {
            LOG.info("TLS off: HTTP and MQTT are plain and reachable from this machine only ({}). Set mode=on in {}.cfg, "
                    + "or listen beyond loopback, to turn it on.", host == null ? "loopback" : host, TlsConfig.PID);
            announce("http");
            return;
        }
        Path dir = folder(config.dir(), context.getProperty("daig.data.dir"));
        try {
            if (config.certificateFile().isBlank()) {
                keystore = ServerKeystore.generated(dir, commonName(), Certificates.defaultNames(config.hostNames()));
            } else {
                keystore = ServerKeystore.fromPem(dir, Path.of(config.certificateFile().trim()), Path.of(config.privateKeyFile().trim()));
            }
        } catch (IOException | GeneralSecurityException e) {
            LOG.error("TLS not started, so HTTPS and MQTT over TLS are off: {}. Fix certificateFile/privateKeyFile in {}.cfg, "
                    + "or delete {} to have a new certificate generated.", e.getMessage(), TlsConfig.PID, dir);
            return; // no decision: the ready line never names a plain URL for a coordinator meant to be TLS-only
        }
        applyHttps();
        registration = context.registerService(ServerTls.class, keystore, new Hashtable<>(Map.of("fingerprint", keystore.fingerprint())));
        LOG.info("TLS on: HTTPS only; certificate fingerprint (providers pin it on first contact): {}", keystore.fingerprint());
        announce("https");
    }

    private void announce(String scheme) {
        decided = context.registerService(Decided.class, new Decided(scheme), new Hashtable<>(Map.of("daig.http.scheme", scheme)));
    }

    @Deactivate
    synchronized void deactivate() {
        for (ServiceRegistration<?> r : new ServiceRegistration<?>[] { decided, registration }) {
            if (r != null) {
                r.unregister();
            }
        }
        decided = null;
        registration = null;
        keystore = null;
        context = null;
    }

    /**
     * The HTTP listener's configuration arriving decides (if it had not yet); FileInstall re-applying
     * config/org.apache.felix.http.cfg when it changes drops HTTPS, so it is put back on.
     */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!HTTP_PID.equals(event.getPid()) || event.getType() != ConfigurationEvent.CM_UPDATED) {
            return;
        }
        synchronized (this) {
            if (context == null) {
                return;
            }
            if (decided == null) {
                decide();
            } else if (keystore != null) {
                applyHttps();
            }
        }
    }

    private boolean httpConfigured() {
        try {
            return configurationAdmin.getConfiguration(HTTP_PID, "?").getProperties() != null;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean wanted(String mode, String host) {
        return switch (mode == null ? "auto" : mode.trim()) {
        case "on" -> true;
        case "off" -> false;
        default -> !isLoopback(host);
        };
    }

    /** Jetty listens on every interface when no host is set, so only an explicit loopback address counts. */
    static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.trim();
        if (h.equals("localhost")) {
            return true;
        }
        try {
            return h.matches("[0-9.]+|\\[?[0-9a-fA-F:]+\\]?") && InetAddress.getByName(h.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    static Path folder(String configured, String dataDir) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        return Path.of(dataDir == null || dataDir.isBlank() ? "daig-data" : dataDir, "tls");
    }

    private synchronized void applyHttps() {
        try {
            Configuration http = configurationAdmin.getConfiguration(HTTP_PID, "?");
            Dictionary<String, Object> properties = http.getProperties() == null ? new Hashtable<>() : http.getProperties();
            Object port = properties.get(HTTP_PORT);
            Map<String, Object> wanted = Map.of(
                    "org.apache.felix.https.enable", "true",
                    "org.apache.felix.http.enable", "false",
                    "org.osgi.service.http.port.secure", port == null ? "8443" : port.toString(),
                    "org.apache.felix.https.keystore", keystore.keystore().toAbsolutePath().toString(),
                    "org.apache.felix.https.keystore.type", "PKCS12",
                    "org.apache.felix.https.keystore.password", new String(keystore.password()),
                    "org.apache.felix.https.keystore.key.password", new String(keystore.password()));
            boolean changed = false;
            for (Map.Entry<String, Object> entry : wanted.entrySet()) {
                if (!Objects.equals(String.valueOf(properties.get(entry.getKey())), entry.getValue())) {
                    properties.put(entry.getKey(), entry.getValue());
                    changed = true;
                }
            }
            if (changed) {
                http.update(properties);
            }
        } catch (IOException e) {
            LOG.error("TLS: cannot switch the HTTP listener to HTTPS: {}", e.getMessage());
        }
    }

    private Optional<String> httpProperty(String key) {
        try {
            Configuration http = configurationAdmin.getConfiguration(HTTP_PID, "?");
            return Optional.ofNullable(http.getProperties()).map(p -> p.get(key)).map(Object::toString);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String commonName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "coordinator";
        }
    }
}
