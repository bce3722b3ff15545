package org.daig.product.tests;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two RabbitMQ nodes of Debian's rabbitmq-server clustered on this machine, as docs/operations.md
 * ("A broker cluster") tells an operator to set them up: the MQTT plugin on each node, no
 * anonymous clients, and every login and topic decided by the coordinator through the HTTP auth
 * backend ({@code /broker-auth/}, with the coordinator's broker secret). Each node runs as a
 * process of the test with its own name, ports and folders under a temporary folder, a shared
 * Erlang cookie and an Erlang port mapper (epmd) on a port of its own; {@link #close} stops both
 * nodes and that epmd and removes the folder.
 */
final class RabbitCluster implements AutoCloseable {

    private static final Path BIN = Path.of("/usr/lib/rabbitmq/bin");
    private static final Duration START = Duration.ofSeconds(90);

    /** One node: its Erlang name and its MQTT listener. */
    record Node(String name, int amqpPort, int distPort, int mqttPort, Path dir) {
        String url() {
            return "tcp://127.0.0.1:" + mqttPort;
        }
    }

    final Node a;
    final Node b;
    private final Path dir;
    private final int epmdPort;
    private final List<Process> processes = new ArrayList<>();

    private RabbitCluster(Path dir, int[] ports) {
        this.dir = dir;
        this.epmdPort = ports[0];
        this.a = new Node("daig-a-" + ports[1] + "@localhost", ports[1], ports[2], ports[3], dir.resolve("a"));
        this.b = new Node("daig-b-" + ports[4] + "@localhost", ports[4], ports[5], ports[6], dir.resolve("b"));
    }

    /** Whether Debian's rabbitmq-server with the MQTT and HTTP-auth plugins is installed. */
    static boolean installed() {
        if (!Files.isExecutable(BIN.resolve("rabbitmq-server")) || !Files.isExecutable(BIN.resolve("rabbitmqctl"))) {
            return false;
        }
        File[] plugins = new File("/usr/lib/rabbitmq/lib").listFiles();
        if (plugins == null) {
            return false;
        }
        for (File server : plugins) {
            String[] names = new File(server, "plugins").list();
            if (names != null && List.of(names).stream().anyMatch(n -> n.startsWith("rabbitmq_mqtt-"))
                    && List.of(names).stream().anyMatch(n -> n.startsWith("rabbitmq_auth_backend_http-"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts both nodes, joins b to a and returns once both are clustered and listen for MQTT.
     * {@code authBase}: the coordinator's address (http://127.0.0.1:port); {@code secret}: what
     * RabbitMQ sends it as the password of user {@code rabbitmq}.
     */
    static RabbitCluster start(String authBase, String secret) throws IOException, InterruptedException {
        RabbitCluster cluster = new RabbitCluster(Files.createTempDirectory("daig-rabbitmq"), ProductsTest.freePorts(7));
        try {
            cluster.boot(authBase, secret);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void boot(String authBase, String secret) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path cookie = home.resolve(".erlang.cookie");
        byte[] random = new byte[20];
        new SecureRandom().nextBytes(random);
        Files.writeString(cookie, HexFormat.of().formatHex(random).toUpperCase(java.util.Locale.ROOT));
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
        String auth = authBase.replaceFirst("^(https?://)", "$1rabbitmq:" + secret + "@") + "/broker-auth/";
        for (Node node : List.of(a, b)) {
            Files.createDirectories(node.dir());
            Files.write(node.dir().resolve("rabbitmq.conf"), List.of(
                    "listeners.tcp.default = 127.0.0.1:" + node.amqpPort(),
                    "mqtt.listeners.tcp.default = 127.0.0.1:" + node.mqttPort(),
                    "mqtt.allow_anonymous = false",
                    "auth_backends.1 = http",
                    "auth_http.http_method = post",
                    "auth_http.user_path = " + auth + "user",
                    "auth_http.vhost_path = " + auth + "vhost",
                    "auth_http.resource_path = " + auth + "resource",
                    "auth_http.topic_path = " + auth + "topic"));
            Files.writeString(node.dir().resolve("enabled_plugins"), "[rabbitmq_mqtt,rabbitmq_auth_backend_http].\n");
            ProcessBuilder server = new ProcessBuilder(BIN.resolve("rabbitmq-server").toString()).directory(node.dir().toFile())
                    .redirectErrorStream(true).redirectOutput(node.dir().resolve("server.out").toFile());
            Map<String, String> env = server.environment();
            env.putAll(env(node));
            env.put("RABBITMQ_NODE_PORT", Integer.toString(node.amqpPort()));
            env.put("RABBITMQ_DIST_PORT", Integer.toString(node.distPort()));
            env.put("RABBITMQ_CONFIG_FILE", node.dir().resolve("rabbitmq").toString());
            env.put("RABBITMQ_ENABLED_PLUGINS_FILE", node.dir().resolve("enabled_plugins").toString());
            env.put("RABBITMQ_MNESIA_BASE", node.dir().resolve("mnesia").toString());
            env.put("RABBITMQ_LOG_BASE", node.dir().resolve("log").toString());
            env.put("RABBITMQ_PID_FILE", node.dir().resolve("pid").toString());
            processes.add(server.start());
        }
        awaitMqtt(a);
        awaitMqtt(b);
        ctl(b, "stop_app");
        ctl(b, "join_cluster", a.name());
        ctl(b, "start_app");
        awaitMqtt(b);
        String status = ctl(a, "cluster_status", "--formatter", "json");
        List<String> running = new ArrayList<>();
        com.google.gson.JsonParser.parseString(status).getAsJsonObject().getAsJsonArray("running_nodes")
                .forEach(n -> running.add(n.getAsString()));
        if (!running.containsAll(List.of(a.name(), b.name()))) {
            throw new IOException("the two nodes did not form a cluster: " + status);
        }
    }

    /** What every RabbitMQ tool of this cluster needs: the shared cookie (in HOME), our epmd, the node's name. */
    private Map<String, String> env(Node node) {
        return Map.of("HOME", dir.resolve("home").toString(), "ERL_EPMD_PORT", Integer.toString(epmdPort),
                "RABBITMQ_NODENAME", node.name());
    }

    private void awaitMqtt(Node node) {
        ProductProcess.await("RabbitMQ node " + node.name() + " listening for MQTT on " + node.mqttPort(), START, () -> {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new AssertionError("a RabbitMQ node exited with " + p.exitValue() + ":\n" + log(node));
                }
            }
            try (Socket s = new Socket("127.0.0.1", node.mqttPort())) {
                return true;
            }
        });
    }

    /** The node's server output, for failure messages. */
    String log(Node node) throws IOException {
        Path out = node.dir().resolve("server.out");
        return Files.exists(out) ? Files.readString(out) : "(no output)";
    }

    /** Runs rabbitmqctl against {@code node}; its output, or an IOException when it fails. */
    String ctl(Node node, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("rabbitmqctl").toString(), "-n", node.name()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env(node));
        Process p = builder.start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + said);
        }
        return said;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            for (Node node : List.of(b, a)) {
                try {
                    ctl(node, "stop");
                } catch (IOException e) {
                    // not running (a failed start): the processes are ended below
                }
            }
            for (Process p : processes) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            ProcessBuilder epmd = new ProcessBuilder("epmd", "-port", Integer.toString(epmdPort), "-kill").redirectErrorStream(true);
            epmd.environment().put("ERL_EPMD_PORT", Integer.toString(epmdPort));
            Process kill = epmd.start();
            kill.getInputStream().readAllBytes();
            kill.waitFor(20, TimeUnit.SECONDS);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
