package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Two coordinator processes on one PostgreSQL (projects and accounts), one S3 server (S3Proxy) and
 * one Mosquitto, as docs/operations.md "A standby coordinator" sets them up. The first leads; the
 * second stands by, off the broker. The leader is killed with SIGKILL in the middle of a round:
 * the standby takes the leader lock, connects as the same MQTT client id and finishes the
 * project. The providers are the same objects throughout (never restarted); every result one of
 * them heard ACCEPTED from the dead coordinator is the one the project used; and the model is
 * bit-identical to that of an uninterrupted run.
 */
class FailoverTest {

    private static final Duration RUN = Duration.ofSeconds(180);

    @BeforeAll
    static void productsExist() {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 coordinator product is not materialized: run ./mvnw verify on linux-x86_64");
    }

    /** A coordinator of the pair: its own HTTP port and data folder, everything else shared. */
    private static ProductProcess coordinator(Path work, int httpPort, Postgres postgres, Mosquitto mosquitto, S3Server s3) throws IOException {
        String pg = "(osgi.jdbc.driver.class=org.postgresql.Driver)";
        ProductProcess coordinator = ProductProcess.coordinator(work)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", httpPort)
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", mosquitto.url)
                .set("org.daig.transport.mqtt-coordinator.cfg", "clientId", "coordinator") // the same id: providers follow it
                .set("org.daig.coordinator.projects.cfg", "jdbcUrl", postgres.jdbcUrl())
                .set("org.daig.coordinator.projects.cfg", "dataSourceFactory.target", pg)
                .set("org.daig.accounts.cfg", "jdbcUrl", postgres.jdbcUrl().replace("/daig?", "/daig_accounts?"))
                .set("org.daig.accounts.cfg", "dataSourceFactory.target", pg)
                // simulated providers compute no gradient: there is nothing the coordinator could replay
                .set("org.daig.coordinator.projects.cfg", "spotCheckRate", 0).set("org.daig.coordinator.projects.cfg", "spotCheckNewDevices", 0);
        s3.configure(coordinator);
        return coordinator;
    }

    @Test
    void whenTheActiveCoordinatorIsKilledTheStandbyFinishesTheProjectWithNothingAcceptedLost(@TempDir Path tmp) throws Exception {
        Path bin = Postgres.installed();
        assumeTrue(bin != null, "Debian's PostgreSQL is not installed (apt-get install postgresql): skipping the failover test");
        assumeTrue(Mosquitto.installed(), "Debian's mosquitto is not installed (apt-get install mosquitto): skipping the failover test");
        ProjectRunTest.Inputs in = ProjectRunTest.inputs(tmp.resolve("inputs"));
        int[] ports = ProductsTest.freePorts(4);
        String baseA = "http://127.0.0.1:" + ports[1];
        String baseB = "http://127.0.0.1:" + ports[2];
        List<SimulatedProvider> providers = new ArrayList<>();
        float[] afterFailover;
        try (Postgres postgres = Postgres.start(bin, ProductsTest.freePorts(1)[0]);
                Mosquitto mosquitto = new Mosquitto(tmp.resolve("broker"), ports[0]);
                S3Server s3 = S3Server.start(Files.createDirectories(tmp.resolve("s3")), "127.0.0.1", ports[3], List.of())) {
            postgres.query("CREATE DATABASE daig_accounts");
            ProductProcess active = coordinator(tmp.resolve("a"), ports[1], postgres, mosquitto, s3).start();
            ProductProcess standby = null;
            try {
                active.awaitLine("This coordinator acts for the grid: it holds the leader lock", ProductsTest.START);
                active.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START); // its blob plane on S3 serves
                GridAccounts accounts = active.accounts(baseA);
                String requestor = accounts.requestor();
                String model = ProjectRunTest.upload(baseA, requestor, in.model());
                String x = ProjectRunTest.upload(baseA, requestor, in.x());
                String y = ProjectRunTest.upload(baseA, requestor, in.y());
                HttpResponse<String> created = ProjectRunTest.post(baseA + "/api/v1/projects", requestor, ProjectRunTest.spec(model, x, y));
                assertEquals(201, created.statusCode(), created.body());
                String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
                String code = accounts.enrolmentCode(3);
                List<String> tokens = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    tokens.add(GridAccounts.enrol(baseA, "sim-" + i, code));
                }
                mosquitto.files(accounts).start(); // knows the coordinator and the enrolled providers

                // the standby logs in to the broker with the same service token: the operator copies it
                Path tokenFile = tmp.resolve("b/data/accounts/service-token");
                Files.createDirectories(tokenFile.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.copy(tmp.resolve("a/data/accounts/service-token"), tokenFile);
                standby = coordinator(tmp.resolve("b"), ports[2], postgres, mosquitto, s3).start();
                standby.awaitLine("Standing by: another coordinator holds the leader lock", ProductsTest.START);
                assertFalse(standby.printed("MQTT bus coordinator"), "a standby stays off the broker:\n" + String.join("\n", standby.output()));
                standby.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START); // its project plane serves
                HttpResponse<String> asked = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(baseB + "/api/v1/projects/" + id))
                        .header("Authorization", "Bearer " + requestor).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, asked.statusCode(), "a standby says so: " + asked.body());
                assertTrue(asked.body().contains("standing by"), asked.body());

                for (int i = 0; i < 3; i++) {
                    SimulatedProvider p = new SimulatedProvider(mosquitto.url, "sim-" + i, 300, tokens.get(i));
                    providers.add(p);
                    p.start();
                }
                ProductProcess.await("a result of round 2 to be accepted", RUN,
                        () -> providers.stream().anyMatch(p -> p.confirmed.keySet().stream().anyMatch(k -> k.split("/")[1].equals("2"))));
                active.kill9();
                Map<String, String> confirmedBeforeCrash = new HashMap<>();
                providers.forEach(p -> confirmedBeforeCrash.putAll(p.confirmed));

                standby.awaitLine("This coordinator acts for the grid: it holds the leader lock", ProductsTest.START);
                ProjectRunTest.awaitProject(baseB, requestor, id, "COMPLETED"); // the requestor's token is good on both

                Map<String, String> used = ProjectRunTest.usedDeltas(baseB, requestor, id);
                confirmedBeforeCrash.forEach((task, delta) -> assertEquals(delta, used.get(task), "accepted before the failover: " + task));
                assertEquals(12, used.size(), "2 passes x 6 shards, each task once");
                try (Stream<Path> stored = Files.walk(s3.bucket)) {
                    List<String> names = stored.map(f -> f.getFileName().toString()).toList();
                    used.values().forEach(delta -> assertTrue(names.contains(delta), "update " + delta + " is in the shared S3 bucket"));
                }
                Map<String, String> confirmedAfter = new HashMap<>();
                providers.forEach(p -> confirmedAfter.putAll(p.confirmed));
                assertTrue(confirmedAfter.size() > confirmedBeforeCrash.size(), "the same providers went on working for the standby");
                JsonObject done = ProductsTest.json(baseB + "/api/v1/projects/" + id, requestor);
                assertEquals(4, done.get("version").getAsInt(), "6 shards, K=3, 2 passes: 4 rounds");
                afterFailover = SimulatedProvider.readVector(SimulatedProvider.get(baseB + "/api/v1/projects/" + id + "/model?format=npy",
                        requestor));
            } finally {
                for (SimulatedProvider p : providers) {
                    p.close();
                }
                active.close();
                if (standby != null) {
                    standby.close();
                }
            }
        }
        float[] uninterrupted = ProjectRunTest.run(tmp.resolve("plain"), in, null, false);
        assertArrayEquals(uninterrupted, afterFailover, "the same rounds give the same parameters, failover or not");
    }
}
