package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.daig.api.bus.Topics;
import org.daig.api.presence.ProviderInfo;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Debian's Mosquitto as the external broker, with a password file: presence works with the right
 * credentials; wrong credentials give one clear log line and nothing else breaks. And with the
 * configuration and ACL of docs/protocol.md ("Broker ACL"), read from that page: anonymous clients
 * are refused, a provider keeps to its own topics, and the DAIG buses work with their token files.
 */
class MosquittoTest {

    private static final String MOSQUITTO = "/usr/sbin/mosquitto";
    private static final String MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd";

    private final Grid grid = new Grid();
    private Process broker;
    private Path dir;
    private String url;

    @BeforeEach
    void startMosquitto() throws Exception {
        assumeTrue(new File(MOSQUITTO).canExecute() && new File(MOSQUITTO_PASSWD).canExecute(),
                "Debian's mosquitto is not installed (apt-get install mosquitto): skipping the external-broker tests");
        dir = Files.createTempDirectory("daig-mosquitto");
        Path passwords = dir.resolve("passwords");
        run(MOSQUITTO_PASSWD, "-c", "-b", passwords.toString(), "coordinator", "c-secret");
        run(MOSQUITTO_PASSWD, "-b", passwords.toString(), "provider", "p-secret");
        start(List.of("allow_anonymous false", "password_file " + passwords));
    }

    /** Starts mosquitto on a free loopback port with these configuration lines. */
    private void start(List<String> settings) throws Exception {
        int port = Grid.freePort();
        Path conf = dir.resolve("mosquitto.conf");
        List<String> lines = new java.util.ArrayList<>(List.of(
                "listener " + port + " 127.0.0.1",
                "user " + System.getProperty("user.name"), // as root, mosquitto would switch to a user that cannot read our files
                "persistence false",
                "log_dest stderr",
                "log_type all"));
        lines.addAll(settings);
        Files.writeString(conf, String.join("\n", lines) + "\n");
        broker = new ProcessBuilder(MOSQUITTO, "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        url = "tcp://127.0.0.1:" + port;
        Grid.await("mosquitto listening on " + port, () -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException notYet) {
                return !broker.isAlive() && fail("mosquitto exited: " + log());
            }
        });
    }

    private void stopMosquitto() throws InterruptedException {
        broker.destroy();
        broker.waitFor(10, TimeUnit.SECONDS);
    }

    /** The fenced blocks of docs/protocol.md's "Broker ACL" section: the configuration excerpt and the ACL file. */
    private static List<String> documentedBrokerSetup() throws IOException {
        Path page = Path.of(System.getProperty("daig.docs.dir", "../../docs"), "protocol.md");
        String text = Files.readString(page);
        String section = text.substring(text.indexOf("## Broker ACL"));
        section = section.substring(0, section.indexOf("\n## ", 5));
        List<String> blocks = new java.util.ArrayList<>();
        String[] parts = section.split("```");
        for (int i = 1; i < parts.length; i += 2) {
            blocks.add(parts[i].strip());
        }
        if (blocks.size() != 2) {
            throw new AssertionError("expected the configuration and the ACL in " + page + ", found " + blocks.size() + " blocks");
        }
        return blocks;
    }

    private static Path tokenFile(Path dir, String name, String token) throws IOException {
        return Files.writeString(dir.resolve(name + ".token"), token + "\n");
    }

    /** Says the client is online and asks for a task; waits for the coordinator's answer to exactly this request. */
    private static void ask(RawClient client, String root, String id, String requestId) throws MqttException {
        client.send(root + "providers/" + id + "/presence", "{\"clientId\":\"" + id + "\",\"role\":\"provider\",\"online\":true,"
                + "\"since\":1}", true);
        client.send(root + "providers/" + id + "/tasks/request", "{\"requestId\":\"" + requestId + "\",\"maxParams\":0}", false);
        Grid.await("the coordinator's answer to " + id, () -> client.received().stream()
                .anyMatch(m -> m.topic().equals(root + "coordinators/coord-mq/to/" + id + "/tasks") && m.payload().contains(requestId)));
    }

    @Test
    void withTheDocumentedAclProvidersKeepToTheirOwnTopicsAndTheBusesWorkWithTheirTokenFiles() throws Exception {
        stopMosquitto();
        String root = grid.topicRoot + "/";
        String coordinatorToken = "daig_c1_" + "c".repeat(43);
        String providerToken = "daig_p1_" + "p".repeat(43);
        String malloryToken = "daig_m1_" + "m".repeat(43);
        String peerToken = "daig_x1_" + "x".repeat(43);
        String willerToken = "daig_w1_" + "w".repeat(43);
        Path passwords = dir.resolve("daig.passwd");
        run(MOSQUITTO_PASSWD, "-c", "-b", passwords.toString(), "coord-mq", coordinatorToken);
        run(MOSQUITTO_PASSWD, "-b", passwords.toString(), "prov-mq", providerToken);
        run(MOSQUITTO_PASSWD, "-b", passwords.toString(), "mallory-mq", malloryToken);
        run(MOSQUITTO_PASSWD, "-b", passwords.toString(), "peer-mq", peerToken);
        run(MOSQUITTO_PASSWD, "-b", passwords.toString(), "willer-mq", willerToken);
        List<String> documented = documentedBrokerSetup();
        Path acl = Files.writeString(dir.resolve("daig.acl"), documented.get(1).replace("daig/v1", grid.topicRoot)
                .replace("user coordinator-id", "user coord-mq") + "\n");
        List<String> conf = new java.util.ArrayList<>();
        for (String line : documented.get(0).lines().toList()) {
            conf.add(line.startsWith("password_file ") ? "password_file " + passwords
                    : line.startsWith("acl_file ") ? "acl_file " + acl : line);
        }
        start(conf);

        assertThrows(MqttException.class, () -> RawClient.connect(url, "anon-mq", null, null), "an anonymous client got in");
        assertThrows(MqttException.class, () -> RawClient.connect(url, "prov-mq", "prov-mq", malloryToken), "another's token got in");

        grid.bus(Topics.COORDINATOR, "coord-mq", url, "passwordFile", tokenFile(dir, "coord-mq", coordinatorToken).toString());
        grid.bus(Topics.PROVIDER, "prov-mq", url, "passwordFile", tokenFile(dir, "prov-mq", providerToken).toString());
        ProviderInfo before = grid.awaitProviderServing("prov-mq"); // presence and announcement flow to the coordinator

        try (RawClient mallory = RawClient.connect(url, "mallory-mq", "mallory-mq", malloryToken);
             RawClient peer = RawClient.connect(url, "peer-mq", "peer-mq", peerToken)) {
            // mosquitto grants a subscription to everyone's replies but delivers only what the ACL lets the client read
            mallory.subscribe(root + "coordinators/+/to/+/tasks");
            assertTrue(peer.subscribe(root + "coordinators/+/to/peer-mq/tasks"));
            // a provider's own request flows to the coordinator, and the answer comes back to it only
            ask(peer, root, "peer-mq", "r-peer");
            ask(mallory, root, "mallory-mq", "r-mq"); // answered after the peer's: had mallory been sent the peer's, it came first
            assertTrue(mallory.received().stream().noneMatch(m -> m.topic().contains("/to/peer-mq/")), "another provider's task reply");

            // into another provider's subtree and under the coordinators: dropped by the broker
            mallory.send(root + "providers/prov-mq/info", "{\"id\":\"prov-mq\",\"name\":\"forged\",\"machine\":"
                    + "{\"os\":\"x\",\"arch\":\"x\",\"cpuModel\":\"x\",\"physicalCores\":1,\"logicalCores\":1,\"memoryBytes\":1,"
                    + "\"gpus\":[]}}", true);
            mallory.send(root + "providers/prov-mq/presence", "{\"clientId\":\"prov-mq\",\"role\":\"provider\",\"online\":false,"
                    + "\"since\":1,\"reason\":\"forged\"}", true);
            mallory.send(root + "coordinators/coord-mq/info", "{\"id\":\"coord-mq\",\"statusUrl\":\"http://forged.example/api/status\","
                    + "\"startedAt\":1,\"version\":\"forged\"}", true);
            mallory.send(root + "coordinators/mallory-mq/presence", "{\"clientId\":\"mallory-mq\",\"role\":\"coordinator\","
                    + "\"online\":true,\"since\":1}", true);
            // a marker on its own topic, after the others: mosquitto handles one client's messages in order
            mallory.send(root + "providers/mallory-mq/info", "{\"id\":\"mallory-mq\",\"name\":\"marker\",\"machine\":"
                    + "{\"os\":\"x\",\"arch\":\"x\",\"cpuModel\":\"x\",\"physicalCores\":1,\"logicalCores\":1,\"memoryBytes\":1,"
                    + "\"gpus\":[]}}", true);
            Grid.await("the marker at the coordinator", () -> grid.provider("mallory-mq").map(p -> "marker".equals(p.name())).orElse(false));
            ProviderInfo after = grid.provider("prov-mq").orElseThrow();
            assertTrue(after.online(), "the victim is still online");
            assertEquals(before.since(), after.since(), "and never went offline");
            assertEquals(before.name(), after.name(), "its announcement is its own");
            assertFalse(grid.directory().otherCoordinators().contains("mallory-mq"), "no provider poses as a coordinator");

        }
        // a last will on another provider's topic: mosquitto lets the client in but checks the will against the ACL when it
        // would send it, and drops it (the coordinator would log that it ignored an offline message it did not believe)
        try (LogCapture log = new LogCapture()) {
            RawClient.connect(url, "willer-mq", "willer-mq", willerToken, o -> o.setWill(root + "providers/prov-mq/presence",
                    ("{\"clientId\":\"prov-mq\",\"role\":\"provider\",\"online\":false,\"since\":1,\"reason\":\"forged will\"}").getBytes(),
                    1, true)).cut();
            Grid.await("mosquitto handled the end of willer-mq's connection", () -> log().lines()
                    .anyMatch(l -> l.contains("willer-mq") && (l.contains("closed its connection") || l.contains("disconnecting"))));
            try (RawClient mallory = RawClient.connect(url, "mallory-mq", "mallory-mq", malloryToken)) {
                mallory.send(root + "providers/mallory-mq/info", "{\"id\":\"mallory-mq\",\"name\":\"marker-2\",\"machine\":"
                        + "{\"os\":\"x\",\"arch\":\"x\",\"cpuModel\":\"x\",\"physicalCores\":1,\"logicalCores\":1,\"memoryBytes\":1,"
                        + "\"gpus\":[]}}", true);
            }
            Grid.await("the second marker at the coordinator", () -> grid.provider("mallory-mq").map(p -> "marker-2".equals(p.name())).orElse(false));
            assertFalse(log.contains("offline message for provider prov-mq"), "the will reached the coordinator");
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("Provider prov-mq is offline")));
            assertEquals(before.since(), grid.provider("prov-mq").orElseThrow().since(), "the victim never went offline");
        }
        try (RawClient peer = RawClient.connect(url, "peer-mq", "peer-mq", peerToken)) {
            assertTrue(peer.subscribe(root + "coordinators/+/info"), "a provider reads the coordinators' announcements");
            Grid.await("the coordinator's retained info", () -> peer.first(root + "coordinators/coord-mq/info").isPresent());
            assertFalse(peer.first(root + "coordinators/coord-mq/info").orElseThrow().payload().contains("forged"),
                    "the coordinator's announcement is its own");
            assertTrue(peer.first(root + "coordinators/mallory-mq/info").isEmpty());
        }
        assertTrue(grid.bus("prov-mq").orElseThrow().isConnected() && grid.bus("coord-mq").orElseThrow().isConnected());
    }

    @AfterEach
    void stop() throws Exception {
        grid.close();
        if (broker != null) {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void presenceWorksThroughMosquittoWithCredentials() throws Exception {
        grid.bus(Topics.COORDINATOR, "coord-mosq", url, "username", "coordinator", ".password", "c-secret");
        grid.bus(Topics.PROVIDER, "prov-mosq", url, "username", "provider", ".password", "p-secret");
        var seen = grid.awaitProviderServing("prov-mosq");
        assertEquals(Runtime.getRuntime().availableProcessors(), seen.machine().logicalCores());
    }

    @Test
    void wrongCredentialsGiveAClearLogLineAndTheRestKeepsWorking() throws Exception {
        try (LogCapture log = new LogCapture()) {
            grid.bus(Topics.COORDINATOR, "coord-mosq2", url, "username", "coordinator", ".password", "wrong-secret");
            grid.bus(Topics.PROVIDER, "prov-mosq2", url, "username", "provider", ".password", "p-secret");
            log.await("coord-mosq2", "refused the user name or password");
            assertFalse(log.lines().stream().anyMatch(l -> l.contains("Exception")), "no stack trace for a user error");
            assertFalse(grid.bus("coord-mosq2").orElseThrow().isConnected());
            grid.awaitConnected("prov-mosq2"); // the other connection is unaffected
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(List.of(command) + " failed: " + out);
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean fail(String message) {
        throw new AssertionError(message);
    }
}
