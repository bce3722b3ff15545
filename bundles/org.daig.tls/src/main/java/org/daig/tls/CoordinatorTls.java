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
 */
@Component(configurationPid = TlsConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = ConfigurationListener.class)
@Designate(ocd = TlsConfig.class)
public class CoordinatorTls implements ConfigurationListener {

    static final String HTTP_PID = "org.apache.felix.http";
    static final String HTTP_HOST = "org.apache.felix.http.host";
    static final String HTTP_PORT = "org.osgi.service.http.port";

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorTls.class);

    @Reference
    private ConfigurationAdmin configurationAdmin;

    private ServerKeystore keystore;
    private ServiceRegistration<ServerTls> registration;

    @Activate
    void activate(TlsConfig config, BundleContext context) {
        String host = httpProperty(HTTP_HOST).orElse(context.getProperty(HTTP_HOST));
        if (!wanted(config.mode(), host)) {
            LOG.info("TLS off: HTTP and MQTT are plain and reachable from this machine only ({}). Set mode=on in {}.cfg, "
                    + "or listen beyond loopback, to turn it on.", host == null ? "loopback" : host, TlsConfig.PID);
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
            return;
        }
        applyHttps();
        registration = context.registerService(ServerTls.class, keystore, new Hashtable<>(Map.of("fingerprint", keystore.fingerprint())));
        LOG.info("TLS on: HTTPS only; certificate fingerprint (providers pin it on first contact): {}", keystore.fingerprint());
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    /** FileInstall re-applies config/org.apache.felix.http.cfg when it changes; put HTTPS back on. */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (keystore != null && HTTP_PID.equals(event.getPid()) && event.getType() == ConfigurationEvent.CM_UPDATED) {
            applyHttps();
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
