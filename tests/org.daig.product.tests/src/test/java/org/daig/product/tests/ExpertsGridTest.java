package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;

/**
 * Issue 18 on the grid, as a requestor and a volunteer would run it: the coordinator product, a real
 * provider product that hosts the experts in its worker JVM, and the {@code daig} command line that
 * creates an experts project, trains through the volunteer's experts, and downloads the whole model,
 * which {@code daig model evaluate} then runs on one machine. The experts' parameters reach the
 * coordinator as checkpoints, and the download carries them.
 */
class ExpertsGridTest {

    private static final Duration START = ProductsTest.START;

    /** Hosts behind NAT: the provider serves its experts through the coordinator's expert relay, the trainer calls them there. */
    @Test
    void throughTheCoordinatorsRelay(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp) throws Exception {
        run(tmp, true, false);
    }

    /**
     * With the coordinator's TLS on, the relay speaks TLS too: the provider's hosting worker and the
     * trainer trust the certificate their machines pinned, with nothing configured by hand.
     */
    @Test
    void throughTheRelayWithTls(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp) throws Exception {
        run(tmp, true, true);
    }

    @Test
    void aRequestorTrainsThroughExpertsAVolunteerHostsAndDownloadsTheWholeModel(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp)
            throws Exception {
        run(tmp, false, false);
    }

    private void run(Path tmp, boolean relay, boolean tls) throws Exception {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator"))
                && Files.isExecutable(ProductProcess.desktopHome().resolve("bin/daig-provider")),
                "The linux-x86_64 products are not materialized: run ./mvnw verify on linux-x86_64");
        int[] ports = ProductsTest.freePorts(5);
        String base = (tls ? "https" : "http") + "://127.0.0.1:" + ports[1];
        String providerBroker = tls ? "ssl://127.0.0.1:" + ports[4] : "tcp://127.0.0.1:" + ports[0];
        Path[] xy = ProjectRunTest.data(Files.createDirectories(tmp.resolve("data")));
        try (ProductProcess coordinator = ProductProcess.coordinator(tmp.resolve("coordinator"))
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "tcp://127.0.0.1:" + ports[0])
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                .set("org.daig.coordinator.experts.cfg", "checkpointSeconds", 3)
                .set("org.daig.coordinator.experts.cfg", "relayPort", relay ? ports[3] : 0)
                .set("org.daig.experts.relay.cfg", "port", relay ? ports[3] : 0)
                .set("org.daig.tls.cfg", "mode", tls ? "on" : "auto").set("org.daig.broker.cfg", "tlsPort", ports[4]).start();
             ProductProcess provider = ProviderRunTest.provider(tmp.resolve("provider"), providerBroker, ports[2], base)) {
            assertEquals(base + "/api/status", coordinator.awaitLine("DAIG coordinator ready: status at (\\S+)", START));
            if (tls) {
                TestHttp.trust(coordinator.work.resolve("data/tls/ca.pem")); // this test's own HTTP calls, as an operator's client
            }
            GridAccounts accounts = coordinator.accounts(base);
            provider.set("org.daig.provider.cfg", ".enrolmentCode", accounts.enrolmentCode(1)).start();
            accounts.requestor();
            ProductProcess.login(tmp, base, GridAccounts.REQUESTOR, GridAccounts.passwordOf(GridAccounts.REQUESTOR));
            String token = GridAccounts.login(base, GridAccounts.REQUESTOR, GridAccounts.passwordOf(GridAccounts.REQUESTOR));

            String created = ProductProcess.daig(tmp, "experts", "create", "--name", "moe on the grid", "--grid", "2x2", "--width", "8",
                    "--hidden", "16", "--hosts", "1", "--k", "2", "--k-min", "1", "--lr", "0.05");
            Matcher id = Pattern.compile("^(x[0-9a-f]{16})  RUNNING", Pattern.MULTILINE).matcher(created);
            assertTrue(id.find(), created);
            String project = id.group(1);

            // the volunteer's provider takes the group and hosts its four experts
            String providerStatus = provider.awaitLine("DAIG provider ready: " + ProductsTest.READY, START);
            ProductsTest.awaitEnrolled(providerStatus, provider.work);
            ProductProcess.await("the provider hosts the project's cells", Duration.ofSeconds(60),
                    () -> group(base, token, project).get("hosted").getAsBoolean());
            String device = group(base, token, project).get("host").getAsString();
            ProductProcess.await("the provider's log says where its experts are", Duration.ofSeconds(60),
                    () -> Files.readString(provider.work.resolve("logs/daig-provider.log"))
                            .contains(relay ? "as relay:127.0.0.1:" + ports[3] + "/" + device : "as 127.0.0.1:"));

            Path model = tmp.resolve("model.zip");
            String trained = ProductProcess.daig(tmp, "experts", "train", "--project", project, "--x", xy[0].toString(), "--y",
                    xy[1].toString(), "--test-x", xy[0].toString(), "--test-y", xy[1].toString(), "--epochs", "4", "--batch", "20",
                    "--lr", "0.01", "--save", tmp.resolve("trainer.zip").toString());
            assertTrue(trained.contains("Handed the trained layers to experts project " + project), trained);
            assertTrue(trained.contains("4 of 4 experts"), "every expert answered for the saved model: " + trained);

            ProductProcess.await("a checkpoint of the hosted experts", Duration.ofSeconds(60),
                    () -> group(base, token, project).has("checkpointAt") && !group(base, token, project).get("checkpointAt").isJsonNull());
            String status = ProductProcess.daig(tmp, "experts", "status", project);
            assertTrue(status.contains("hosted by ") && status.contains("ffn.0.0..ffn.1.1 (4 cells)"), status);

            ProductProcess.daig(tmp, "experts", "download", project, "--out", model.toString());
            try (ZipFile zip = new ZipFile(model.toFile())) {
                for (String entry : new String[] { "daig-experts.json", "bottom.npy", "gate.npy", "top.npy", "experts/ffn.0.0.npy",
                        "experts/ffn.1.1.npy" }) {
                    assertTrue(zip.getEntry(entry) != null, entry + " in the download");
                }
            }
            String evaluated = ProductProcess.daig(tmp, "model", "evaluate", model.toString(), "--x", xy[0].toString(), "--y",
                    xy[1].toString());
            Matcher accuracy = Pattern.compile("accuracy: ([0-9.]+)").matcher(evaluated);
            assertTrue(accuracy.find(), evaluated);
            System.out.println("experts project on the grid" + (relay ? ", through the relay" : "") + (tls ? " with TLS" : "") + ": "
                    + evaluated.strip());
            assertTrue(Double.parseDouble(accuracy.group(1)) > 0.6, "three well-separated classes, chance is 0.33: " + evaluated);

            // nobody else's: another requestor and the volunteer's device get nothing of it
            HttpResponse<String> anonymous = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/experts/" + project
                    + "/model")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode());
            assertFalse(provider.printed("Exception in thread"), "the provider's log has no uncaught exception");
        }
    }

    private static JsonObject group(String base, String token, String project) throws Exception {
        return ProductsTest.json(base + "/api/v1/experts/" + project, token).getAsJsonArray("groups").get(0).getAsJsonObject();
    }
}
