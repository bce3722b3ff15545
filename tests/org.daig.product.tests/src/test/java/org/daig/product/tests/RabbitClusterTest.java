package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The grid on a two-node RabbitMQ cluster (Debian's rabbitmq-server 3.10 with its MQTT plugin),
 * set up as docs/operations.md ("A broker cluster") says: the coordinator product on node A,
 * providers on node B and on A, every login and topic decided by the coordinator
 * ({@code /broker-auth/}). What holds across the nodes: presence (live), last wills, QoS 1 task
 * exchange, a project to the end, and the ACL; what does not (retained messages are kept per node
 * and never sent for wildcard filters) is measured here too, so the docs stay true.
 */
class RabbitClusterTest {

    private static final Duration RUN = Duration.ofSeconds(180);
    private static final Duration QUIET = Duration.ofSeconds(2);

    @TempDir
    static Path tmp;
    private static RabbitCluster cluster;
    private static ProductProcess coordinator;
    private static GridAccounts accounts;
    private static String base;
    private static String coordinatorId;

    @BeforeAll
    static void grid() throws Exception {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 coordinator product is not materialized: run ./mvnw verify on linux-x86_64");
        assumeTrue(RabbitCluster.installed(), "Debian's rabbitmq-server (with its MQTT and HTTP-auth plugins) is not installed "
                + "(apt-get install rabbitmq-server): skipping the broker-cluster tests");
        int[] ports = ProductsTest.freePorts(2);
        base = "http://127.0.0.1:" + ports[1];
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        String secret = HexFormat.of().formatHex(random);
        Path secretFile = GridAccounts.secretFile(tmp, "broker-auth-secret", secret);
        cluster = RabbitCluster.start(base, secret);
        coordinator = ProductProcess.coordinator(tmp.resolve("coordinator"))
                .set("org.daig.broker.cfg", "mode", "off")
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", cluster.a.url())
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                .set("org.daig.accounts.cfg", "brokerAuthHttp", true)
                .set("org.daig.accounts.cfg", "brokerAuthSecretFile", secretFile)
                // simulated providers compute no gradient: there is nothing the coordinator could replay
                .set("org.daig.coordinator.projects.cfg", "spotCheckRate", 0).set("org.daig.coordinator.projects.cfg", "spotCheckNewDevices", 0)
                .start();
        coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
        accounts = coordinator.accounts(base);
        ProductProcess.await("the coordinator connected to RabbitMQ node A", ProductsTest.START,
                () -> status().getAsJsonObject("bus").get("connected").getAsBoolean());
        coordinatorId = status().get("coordinatorId").getAsString();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (coordinator != null) {
                coordinator.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static JsonObject status() throws Exception {
        return ProductsTest.json(base + "/api/status", accounts.adminToken);
    }

    private static JsonObject provider(String id) throws Exception {
        for (JsonElement p : status().getAsJsonArray("providers")) {
            if (p.getAsJsonObject().get("id").getAsString().equals(id)) {
                return p.getAsJsonObject();
            }
        }
        return null;
    }

    private static String enrol(String id) throws Exception {
        return GridAccounts.enrol(base, id, accounts.enrolmentCode(1));
    }

    private static String serviceToken() throws Exception {
        return Files.readAllLines(tmp.resolve("coordinator/data/accounts/service-token")).get(0).strip();
    }

    /**
     * A project from upload to model with the coordinator on node A, two providers on node B and one
     * on A. Before them, a provider on B takes a lease and dies without a DISCONNECT: the broker sends
     * its last will across the nodes, and the coordinator frees its lease at once.
     */
    @Test
    void aProjectCompletesWithProvidersOnBothNodesAndADeadProvidersLeaseIsFreedByItsWill() throws Exception {
        ProjectRunTest.Inputs in = ProjectRunTest.inputs(tmp.resolve("inputs"));
        String requestor = accounts.requestor();
        HttpResponse<String> created = ProjectRunTest.post(base + "/api/v1/projects", requestor, ProjectRunTest.spec(
                ProjectRunTest.upload(base, requestor, in.model()), ProjectRunTest.upload(base, requestor, in.x()),
                ProjectRunTest.upload(base, requestor, in.y())));
        assertEquals(201, created.statusCode(), created.body());
        String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();

        try (RabbitClient doomed = RabbitClient.provider(cluster.b.url(), "doomed-b", enrol("doomed-b"))) {
            ProductProcess.await("the coordinator on A to see doomed-b (on B) online", RUN,
                    () -> provider("doomed-b") != null && provider("doomed-b").get("online").getAsBoolean());
            String lease = doomed.takeTask(RUN);
            assertTrue(SimulatedProvider.getString(base + "/api/v1/leases", accounts.adminToken).contains(lease));
            doomed.die(); // the TCP connection ends with no DISCONNECT: node B publishes its will
        }
        coordinator.awaitLine("Provider doomed-b went offline; its 1 task\\(s\\) will be offered again", RUN);
        assertFalse(provider("doomed-b").get("online").getAsBoolean(), "the will crossed from node B to the coordinator on node A");
        assertFalse(SimulatedProvider.getString(base + "/api/v1/leases", accounts.adminToken).contains("doomed-b"),
                "the dead provider's lease is free");

        List<SimulatedProvider> providers = new ArrayList<>();
        try {
            for (String[] p : new String[][] { { "sim-b0", cluster.b.url() }, { "sim-b1", cluster.b.url() }, { "sim-a0", cluster.a.url() } }) {
                SimulatedProvider s = new SimulatedProvider(p[1], p[0], 300, enrol(p[0]));
                providers.add(s);
                s.start();
            }
            ProductProcess.await("project " + id + " COMPLETED", RUN, () -> "COMPLETED".equals(
                    ProductsTest.json(base + "/api/v1/projects/" + id, requestor).get("state").getAsString()));
            assertEquals(4, ProductsTest.json(base + "/api/v1/projects/" + id, requestor).get("version").getAsInt(),
                    "6 shards, K=3, 2 passes: 4 rounds");
            // the last answers may still be on their way across the nodes when the project already shows COMPLETED
            ProductProcess.await("answers to all 12 results", RUN, () -> providers.stream().mapToInt(p -> p.accepted.get() + p.duplicates.get()
                    + p.stale.get() + p.refused.get()).sum() >= 12);
            int onB = providers.get(0).accepted.get() + providers.get(1).accepted.get();
            int onA = providers.get(2).accepted.get();
            assertTrue(onB >= 1, "results sent at QoS 1 through node B were accepted by the coordinator on A (B: " + onB + ", A: " + onA + ")");
            int duplicates = providers.stream().mapToInt(p -> p.duplicates.get()).sum();
            assertEquals(12, onA + onB + duplicates, "each of the 12 tasks answered ACCEPTED once (a retried result: DUPLICATE); stale "
                    + providers.stream().mapToInt(p -> p.stale.get()).sum() + ", refused " + providers.stream().mapToInt(p -> p.refused.get()).sum()
                    + ", last errors " + providers.stream().map(p -> String.valueOf(p.lastError)).toList());
        } finally {
            for (SimulatedProvider p : providers) {
                p.close();
            }
        }
    }

    /**
     * Presence across the nodes, and what RabbitMQ 3.10 does with retained messages: a provider on
     * node B shows online at the coordinator on node A (a live message); the coordinator's retained
     * presence is sent to a new subscriber of its exact topic on node A, but not on node B (each node
     * keeps its own retained messages) and not for a wildcard filter even on node A.
     */
    @Test
    void presenceCrossesTheNodesButRetainedMessagesStayOnTheirNodeAndNeedAnExactTopic() throws Exception {
        try (RabbitClient p = RabbitClient.provider(cluster.b.url(), "presence-b", enrol("presence-b"))) {
            ProductProcess.await("the coordinator on A to see presence-b (on B) online", RUN,
                    () -> provider("presence-b") != null && provider("presence-b").get("online").getAsBoolean());
        }

        String exact = "daig/v1/coordinators/" + coordinatorId + "/presence";
        String token = serviceToken();
        try (RabbitClient onA = RabbitClient.connect(cluster.a.url(), "coordinator-watch-a", token, null);
                RabbitClient onB = RabbitClient.connect(cluster.b.url(), "coordinator-watch-b", token, null);
                RabbitClient wildA = RabbitClient.connect(cluster.a.url(), "coordinator-watch-w", token, null)) {
            onA.subscribe(exact);
            onB.subscribe(exact);
            wildA.subscribe("daig/v1/coordinators/+/presence");
            String retained = onA.await(exact, RUN);
            assertTrue(retained.contains("\"online\":true"), retained);
            // RabbitMQ 3.10: retained messages are kept on the node that received them, and sent only for exact topics.
            // If these fail, RabbitMQ changed: update docs/operations.md, "A broker cluster".
            assertEquals(null, onB.poll(exact, QUIET), "node B has no copy of the retained presence published on node A");
            assertEquals(null, wildA.poll(exact, QUIET), "no retained message for a wildcard filter");
        }
    }

    /** Without a grid identity nothing is reachable, and a provider reaches only its own topics, on both nodes. */
    @Test
    void strangersAreRefusedAndAProviderCannotReadOrWriteAnothersTopics() throws Exception {
        String token = enrol("neg-b");
        for (String url : List.of(cluster.a.url(), cluster.b.url())) {
            assertRefused(() -> RabbitClient.connect(url, "neg-b", "daig_0000000000000000_" + "x".repeat(43), null), "a wrong token");
            assertRefused(() -> RabbitClient.connect(url, "other-b", token, null), "neg-b's token under another client id");
            assertRefused(() -> RabbitClient.connect(url, "guest", "guest", null), "RabbitMQ's default user");
            assertRefused(() -> RabbitClient.connect(url, "anonymous-" + url.hashCode(), null, null), "no credentials");
        }
        try (RabbitClient witness = RabbitClient.connect(cluster.a.url(), "coordinator-witness", serviceToken(), null)) {
            witness.subscribe("daig/v1/providers/#");
            try (RabbitClient neg = RabbitClient.connect(cluster.b.url(), "neg-b", token, null)) {
                neg.publish("daig/v1/providers/neg-b/info", "{\"mine\":true}");
                assertTrue(witness.await("daig/v1/providers/neg-b/info", RUN).contains("mine"), "its own topic reaches node A");
                assertFalse(neg.trySubscribe("daig/v1/coordinators/+/to/sim-b0/tasks"), "another provider's task replies");
                ProductProcess.await("RabbitMQ to close neg-b's connection after the refused subscription", RUN, () -> !neg.connected());
            }
            coordinator.awaitLine("RabbitMQ: read refused to 'neg-b' on 'daig.v1.coordinators.\\*.to.sim-b0.tasks'", RUN);
            try (RabbitClient neg = RabbitClient.connect(cluster.b.url(), "neg-b", token, null)) {
                assertFalse(neg.trySubscribe("daig/v1/providers/+/presence"), "other providers' presence");
            }
            try (RabbitClient neg = RabbitClient.connect(cluster.b.url(), "neg-b", token, null)) {
                neg.publishAndLose("daig/v1/providers/victim/presence", "{\"clientId\":\"victim\",\"online\":false}");
                ProductProcess.await("RabbitMQ to close neg-b's connection after the refused publish", RUN, () -> !neg.connected());
            }
            coordinator.awaitLine("RabbitMQ: write refused to 'neg-b' on 'daig.v1.providers.victim.presence'", RUN);
            assertEquals(null, witness.poll("daig/v1/providers/victim/presence", QUIET), "the forged presence was routed nowhere");
        }
    }

    private interface Connect {
        RabbitClient open() throws Exception;
    }

    private static void assertRefused(Connect connect, String what) {
        try {
            connect.open().close();
        } catch (MqttException e) {
            assertTrue(e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                    || e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED, what + ": " + e);
            return;
        } catch (Exception e) {
            throw new AssertionError(what + ": " + e, e);
        }
        throw new AssertionError(what + " was let in");
    }
}
