package org.daig.product.tests;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Debian's Mosquitto on a loopback port, set up as docs/security.md tells an operator: no anonymous
 * clients, the password file and ACL file the coordinator writes ({@code daig admin broker-config}).
 * The port is known before it starts, so the products can be pointed at it first.
 */
final class Mosquitto implements AutoCloseable {

    private static final String MOSQUITTO = "/usr/sbin/mosquitto";

    final Path dir;
    final int port;
    final String url;
    /** The address it listens on. */
    final String host;
    /** What its command line starts with, e.g. {@code ip netns exec <namespace>} (another host); empty: nothing. */
    private final List<String> launcher;
    private Process process;

    Mosquitto(Path dir, int port) throws IOException {
        this(dir, "127.0.0.1", port, List.of());
    }

    /** Mosquitto listening on {@code host} only, started through {@code launcher} (e.g. in a network namespace). */
    Mosquitto(Path dir, String host, int port, List<String> launcher) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.port = port;
        this.host = host;
        this.launcher = List.copyOf(launcher);
        this.url = "tcp://" + host + ":" + port;
    }

    static boolean installed() {
        return new File(MOSQUITTO).canExecute();
    }

    /** Writes Mosquitto's files from the coordinator's {@code GET /api/v1/admin/broker-config} into {@link #dir}. */
    Mosquitto files(GridAccounts admin) throws IOException, InterruptedException {
        var files = admin.brokerConfig();
        GridAccounts.secretFile(dir, "passwd", files.get("passwordFile").getAsString().strip());
        Files.writeString(dir.resolve("acl"), files.get("aclFile").getAsString());
        return this;
    }

    /** Starts Mosquitto with {@link #dir}'s {@code passwd} and {@code acl}; returns once it listens. */
    Mosquitto start() throws IOException {
        return start(dir.resolve("passwd"), dir.resolve("acl"));
    }

    /** Starts Mosquitto with these files; returns once it listens. */
    Mosquitto start(Path passwd, Path acl) throws IOException {
        Path conf = dir.resolve("mosquitto.conf");
        Files.write(conf, List.of(
                "listener " + port + " " + host,
                "persistence false",
                "user " + System.getProperty("user.name"), // as root, mosquitto would switch to a user that cannot read our files
                "per_listener_settings false",
                "allow_anonymous false",
                "password_file " + passwd,
                "acl_file " + acl,
                "use_username_as_clientid true"));
        Path log = dir.resolve("mosquitto.log");
        List<String> command = new java.util.ArrayList<>(launcher);
        command.addAll(List.of(MOSQUITTO, "-c", conf.toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ProductProcess.await("mosquitto listening on " + port, Duration.ofSeconds(30), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("mosquitto exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket(host, port)) {
                return true;
            }
        });
        return this;
    }

    /** Whether a client without a user name or password is refused as not authorized (and not let in). */
    boolean refusesAnonymousClients() throws MqttException {
        MqttClient anonymous = new MqttClient(url, "anonymous-" + port, new MemoryPersistence());
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setConnectionTimeout(5);
            anonymous.connect(options);
            anonymous.disconnect();
            return false;
        } catch (MqttException e) {
            return e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED
                    || e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION;
        } finally {
            anonymous.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
