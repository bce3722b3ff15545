package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;

/**
 * The whole grid on this machine with real processes: a coordinator, two desktop providers
 * training with DL4J in their worker JVMs, and the requestor command line (bin/daig submit,
 * watch, download, model evaluate) on the digits data. The downloaded Keras model must reach
 * 0.93 test accuracy; the same run with one provider killed with SIGKILL in the middle of a task
 * must still complete. The first run has TLS on, as a coordinator reachable beyond loopback has
 * it: HTTPS only, the providers' MQTT over TLS, every client pinning the generated certificate on
 * first contact and showing its fingerprint.
 */
class ProviderRunTest {

    private static final Path DIGITS = Path.of(System.getProperty("daig.root", "../..")).resolve("../shared/data/digits");
    private static final Duration RUN = Duration.ofSeconds(300);
    /** Not a secret: a test grid on loopback ports, gone when the test ends. */
    private static final String ADMIN_PASSWORD = "provider-run-admin-password";

    @BeforeAll
    static void productsAndDataExist() {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator"))
                && Files.isExecutable(ProductProcess.desktopHome().resolve("bin/daig-provider")),
                "The linux-x86_64 products are not materialized: run ./mvnw verify on linux-x86_64");
        assumeTrue(Files.isRegularFile(DIGITS.resolve("train_x.npy")), "../shared/data/digits is absent (" + DIGITS.toAbsolutePath()
                + "): the end-to-end run needs it");
    }

    private static String daig(Path work, String... args) throws Exception {
        return ProductProcess.daig(work, args);
    }

    /** A provider that enrols at {@code coordinatorUrl} (with the .enrolmentCode set before it starts). */
    static ProductProcess provider(Path work, String brokerUrl, int httpPort, String coordinatorUrl) throws IOException {
        return ProductProcess.provider(work)
                .set("org.daig.provider.cfg", "coordinatorUrl", coordinatorUrl)
                .set("org.daig.transport.mqtt-provider.cfg", "brokerUrl", brokerUrl)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", httpPort)
                .set("org.daig.provider.work.cfg", "participateByDefault", "true")
                .set("org.daig.monitor.policy.cfg", "mode", "always") // two providers on one machine would see each other's load
                .set("org.daig.monitor.policy.cfg", "maxWorkerThreads", "1");
    }

    private double run(Path tmp, boolean killOne, boolean tls) throws Exception {
        int[] ports = ProductsTest.freePorts(5);
        String coordinatorUrl = (tls ? "https" : "http") + "://127.0.0.1:" + ports[1];
        // the coordinator's own bus stays on the plain loopback port; the providers come in as from another machine
        String providerBroker = tls ? "ssl://127.0.0.1:" + ports[4] : "tcp://127.0.0.1:" + ports[0];
        Path model = tmp.resolve("mlp.h5");
        daig(tmp, "model", "make-mlp", "--out", model.toString(), "--inputs", "64", "--outputs", "10", "--hidden", "64,32", "--seed", "1");
        // The operator's way to a known admin password: DAIG_ADMIN_PASSWORD at the first start.
        try (ProductProcess coordinator = ProductProcess.coordinator(tmp.resolve("coordinator")).adminPassword(ADMIN_PASSWORD)
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "tcp://127.0.0.1:" + ports[0])
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                .set("org.daig.tls.cfg", "mode", tls ? "on" : "auto")
                .set("org.daig.broker.cfg", "tlsPort", ports[4]).start();
             ProductProcess first = provider(tmp.resolve("provider-1"), providerBroker, ports[2], coordinatorUrl); // started with a code
             ProductProcess second = provider(tmp.resolve("provider-2"), providerBroker, ports[3], coordinatorUrl)) {
            // the first ready line names the URL that stays: https once TLS is on, never a plain one first
            assertEquals(coordinatorUrl + "/api/status", coordinator.awaitLine("DAIG coordinator ready: status at (\\S+)", ProductsTest.START));
            String fingerprint = null;
            if (tls) {
                fingerprint = coordinator.awaitLine("certificate fingerprint \\(providers pin it on first contact\\): (\\S+)", ProductsTest.START);
                TestHttp.trust(coordinator.work.resolve("data/tls/ca.pem")); // this test's own HTTP calls, as an operator's client
            }
            assertFalse(Files.exists(coordinator.adminPasswordFile()), "a given admin password is not written into the data folder");
            GridAccounts accounts = coordinator.accounts(coordinatorUrl);
            String code = accounts.enrolmentCode(2); // one code, two machines
            first.set("org.daig.provider.cfg", ".enrolmentCode", code).start();
            second.set("org.daig.provider.cfg", ".enrolmentCode", code).start();
            String requestor = accounts.requestor();
            String login = ProductProcess.login(tmp, coordinatorUrl, GridAccounts.REQUESTOR, GridAccounts.passwordOf(GridAccounts.REQUESTOR));
            String firstStatus = first.awaitLine("DAIG provider ready: " + ProductsTest.READY, ProductsTest.START);
            String secondStatus = second.awaitLine("DAIG provider ready: " + ProductsTest.READY, ProductsTest.START);
            ProductsTest.awaitEnrolled(firstStatus, first.work);
            ProductsTest.awaitEnrolled(secondStatus, second.work);
            if (tls) { // each client pinned the coordinator's certificate on first contact and says which
                assertTrue(login.contains("Coordinator certificate (SHA-256): " + fingerprint), login);
                for (String status : new String[] { firstStatus, secondStatus }) {
                    String enrolment = ProductsTest.json(status).getAsJsonObject("enrolment").get("message").getAsString();
                    assertTrue(enrolment.contains("coordinator certificate SHA-256 " + fingerprint + " (pinned)"), enrolment);
                }
                Path mqttPin = first.work.resolve("data/known-coordinators/127.0.0.1_" + ports[4]);
                String expected = fingerprint;
                ProductProcess.await("the MQTT/TLS listener's certificate pinned too, at " + mqttPin, ProductsTest.START,
                        () -> Files.isRegularFile(mqttPin) && Files.readString(mqttPin).contains(expected));
            }
            // the requestor's commands below use its saved login
            String submitted = daig(tmp, "submit", "--coordinator", coordinatorUrl, "--model", model.toString(),
                    "--x", DIGITS.resolve("train_x.npy").toString(), "--y", DIGITS.resolve("train_y.npy").toString(),
                    "--epochs", "6", "--batch", "32", "--tasks", "8", "--k", "2", "--contributors", "2", "--validation", "0.1",
                    "--passes", "4", "--seed", "1", "--name", "digits");
            String id = submitted.strip().lines().reduce((a, b) -> b).orElseThrow();
            if (killOne) {
                String firstId = ProductsTest.json(firstStatus).get("providerId").getAsString();
                first.awaitLine("(Result accepted)", RUN); // it has done a task; wait for it to hold the next one
                // Mid-task = holding a lease the coordinator knows of (from the lease to the committed result).
                ProductProcess.await("provider 1 to hold a task", RUN, () -> com.google.gson.JsonParser
                        .parseString(SimulatedProvider.getString(coordinatorUrl + "/api/v1/leases", accounts.adminToken)).getAsJsonArray()
                        .asList().stream().anyMatch(l -> l.getAsJsonObject().get("providerId").getAsString().equals(firstId)));
                first.kill9();
            }
            String watched = daig(tmp, "watch", id, "--coordinator", coordinatorUrl);
            assertTrue(watched.contains("project " + id + " completed"), watched);
            JsonObject project = ProductsTest.json(coordinatorUrl + "/api/v1/projects/" + id, requestor); // its own project
            assertEquals(16, project.get("version").getAsInt(), "8 shards, K=2, 4 passes");
            Path downloaded = tmp.resolve("trained.h5");
            daig(tmp, "download", id, "--coordinator", coordinatorUrl, "--format", "h5", "--out", downloaded.toString());
            String evaluated = daig(tmp, "model", "evaluate", downloaded.toString(), "--x", DIGITS.resolve("test_x.npy").toString(),
                    "--y", DIGITS.resolve("test_y.npy").toString());
            Matcher m = Pattern.compile("accuracy: ([0-9.]+)").matcher(evaluated);
            assertTrue(m.find(), evaluated);
            System.out.println("digits, 2 providers" + (killOne ? " (one killed)" : "") + ": test accuracy " + m.group(1) + "\n" + watched);
            return Double.parseDouble(m.group(1));
        }
    }

    @Test
    void twoProvidersTrainDigitsToTheAccuracyOfLocalTrainingOverTls(@TempDir Path tmp) throws Exception {
        double accuracy = run(tmp, false, true);
        assertTrue(accuracy >= 0.93, "test accuracy " + accuracy);
    }

    @Test
    void aProviderKilledMidTaskDoesNotStopTheProject(@TempDir Path tmp) throws Exception {
        double accuracy = run(tmp, true, false);
        assertTrue(accuracy >= 0.93, "test accuracy " + accuracy);
    }
}
