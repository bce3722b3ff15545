package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A project through the coordinator product as a requestor and providers see it: uploads over
 * HTTP, a submission through the requestor API, simulated providers over MQTT, rounds to the end,
 * the model downloaded. The crash test kills the coordinator with SIGKILL in the middle of a
 * round and restarts it: the project finishes, every result a provider had been told was accepted
 * is still there, the uploads are intact, and the final parameters are bit-identical to those of
 * an uninterrupted run of the same project (the simulated deltas depend only on a task's inputs,
 * and aggregation sums in shard order).
 */
class ProjectRunTest {

    private static final HttpClient HTTP = TestHttp.CLIENT;
    private static final Duration RUN = Duration.ofSeconds(180);

    /** What this class's tests share: their inputs and the uninterrupted run the crash tests compare with, each made once. */
    @TempDir
    static Path shared;
    private static Inputs sharedInputs;
    private static float[] uninterrupted;

    @BeforeAll
    static void productsExist() {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 coordinator product is not materialized: run ./mvnw verify on linux-x86_64");
    }

    /** What a requestor uploads: a Keras MLP made by the product's own writer, and synthetic 3-class data. */
    record Inputs(Path model, Path x, Path y) {
    }

    static Inputs inputs(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path model = dir.resolve("model.h5");
        ProductProcess.daig(dir, "model", "make-mlp", "--out", model.toString(), "--inputs", "8", "--outputs", "3", "--hidden", "16", "--seed", "3");
        Path[] xy = data(dir);
        return new Inputs(model, xy[0], xy[1]);
    }

    /** The inputs of this class's tests (the same every time: making them starts the command line's JVM). */
    private static synchronized Inputs inputs() throws Exception {
        if (sharedInputs == null) {
            sharedInputs = inputs(shared.resolve("inputs"));
        }
        return sharedInputs;
    }

    /** The final parameters of an uninterrupted run of the project on {@link #inputs()}, on H2 and the embedded broker. */
    private static synchronized float[] uninterrupted() throws Exception {
        if (uninterrupted == null) {
            uninterrupted = run(shared.resolve("plain"), inputs(), null, false);
        }
        return uninterrupted;
    }

    /** Synthetic 3-class data, 240 rows x 8 features (seeded): {@code dir}/x.npy and y.npy. */
    static Path[] data(Path dir) throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        int rows = 240;
        float[] x = new float[rows * 8];
        long[] y = new long[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = r % 3;
            for (int c = 0; c < 8; c++) {
                x[r * 8 + c] = (float) (random.nextGaussian() + (c % 3 == y[r] ? 2 : 0));
            }
        }
        Path xFile = dir.resolve("x.npy");
        Path yFile = dir.resolve("y.npy");
        Files.write(xFile, Npy.of("<f4", "(" + rows + ", 8)", Npy.floats(x)));
        Files.write(yFile, Npy.of("<i8", "(" + rows + ",)", Npy.longs(y)));
        return new Path[] { xFile, yFile };
    }

    /** Uploads a file as the requestor whose token this is. */
    static String upload(String base, String token, Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        String id = SimulatedProvider.sha256(bytes);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + id)).header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return id;
    }

    static HttpResponse<String> post(String url, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String spec(String model, String x, String y) {
        return spec(model, x, y, "kbatch-sync");
    }

    private static String spec(String model, String x, String y, String strategy) {
        return "{\"name\":\"crash test\",\"model\":\"" + model + "\",\"x\":\"" + x + "\",\"y\":\"" + y + "\",\"epochs\":1,\"batchSize\":8,"
                + "\"totalTasks\":6,\"taskSize\":3,\"maxContributors\":3,\"validationRate\":0.1,\"passes\":2,\"seed\":7,\"strategy\":\""
                + strategy + "\"}";
    }

    private static ProductProcess coordinator(Path work, int[] ports, String externalBroker) throws IOException {
        return coordinator(work, ports, externalBroker, null);
    }

    /** {@code postgres}: the coordinator keeps its state there (pgjdbc ships with it), else in its H2 file. */
    private static ProductProcess coordinator(Path work, int[] ports, String externalBroker, Postgres postgres) throws IOException {
        ProductProcess c = (Files.exists(work.resolve("config")) ? ProductProcess.reuse(work) : ProductProcess.coordinator(work))
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", externalBroker != null ? externalBroker : "tcp://127.0.0.1:" + ports[0])
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                // simulated providers compute no gradient: there is nothing the coordinator could replay
                .set("org.daig.coordinator.projects.cfg", "spotCheckRate", 0).set("org.daig.coordinator.projects.cfg", "spotCheckNewDevices", 0);
        if (postgres != null) {
            c.set("org.daig.coordinator.projects.cfg", "jdbcUrl", postgres.jdbcUrl())
                    .set("org.daig.coordinator.projects.cfg", "dataSourceFactory.target", "(osgi.jdbc.driver.class=org.postgresql.Driver)");
        }
        return c;
    }

    /** The delta each task of the project was closed with, as "project/round/shard" → blob id (the requestor's results list). */
    static Map<String, String> usedDeltas(String base, String token, String id) throws Exception {
        Map<String, String> used = new HashMap<>();
        String results = SimulatedProvider.getString(base + "/api/v1/projects/" + id + "/results", token);
        for (JsonElement r : JsonParser.parseString(results).getAsJsonArray()) {
            JsonObject o = r.getAsJsonObject();
            used.put(id + "/" + o.get("round").getAsInt() + "/" + o.get("shard").getAsInt(), o.get("deltaBlob").getAsString());
        }
        return used;
    }

    static JsonObject awaitProject(String base, String token, String id, String state) {
        JsonObject[] found = new JsonObject[1];
        ProductProcess.await("project " + id + " " + state, RUN, () -> {
            found[0] = ProductsTest.json(base + "/api/v1/projects/" + id, token);
            return found[0].get("state").getAsString().equals(state);
        });
        return found[0];
    }

    /**
     * Runs the project to the end with three simulated providers; returns the final parameters. The
     * requestor submits with its own account; the providers are enrolled with an admin's code.
     * With {@code mosquitto}, the grid's broker is that Mosquitto, started with the coordinator's
     * password and ACL files once the providers are enrolled.
     */
    static float[] run(Path work, Inputs in, Mosquitto mosquitto, boolean crash) throws Exception {
        return run(work, in, mosquitto, crash, "kbatch-sync");
    }

    /**
     * {@code strategy}: K-batch sync makes a version per round (4), async-apply and async-queue a version per accepted update (12),
     * async-lockfree one per batch of updates added together (1 to 12; that each is applied once, AsyncSchedulerTest shows).
     */
    private static float[] run(Path work, Inputs in, Mosquitto mosquitto, boolean crash, String strategy) throws Exception {
        return run(work, in, mosquitto, null, crash, strategy);
    }

    private static float[] run(Path work, Inputs in, Mosquitto mosquitto, Postgres postgres, boolean crash, String strategy)
            throws Exception {
        boolean async = strategy.startsWith("async-");
        int[] ports = ProductsTest.freePorts(2);
        String externalBroker = mosquitto != null ? mosquitto.url : null;
        String broker = externalBroker != null ? externalBroker : "tcp://127.0.0.1:" + ports[0];
        String base = "http://127.0.0.1:" + ports[1];
        ProductProcess coordinator = coordinator(work, ports, externalBroker, postgres).start();
        List<SimulatedProvider> providers = new ArrayList<>();
        try {
            coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
            GridAccounts accounts = coordinator.accounts(base);
            String requestor = accounts.requestor();
            String model = upload(base, requestor, in.model());
            String x = upload(base, requestor, in.x());
            String y = upload(base, requestor, in.y());
            HttpResponse<String> created = post(base + "/api/v1/projects", requestor, spec(model, x, y, strategy));
            assertEquals(201, created.statusCode(), created.body());
            String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
            String code = accounts.enrolmentCode(3);
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tokens.add(GridAccounts.enrol(base, "sim-" + i, code));
            }
            if (mosquitto != null) {
                mosquitto.files(accounts).start(); // knows the coordinator and the enrolled providers
            }
            for (int i = 0; i < 3; i++) {
                SimulatedProvider p = new SimulatedProvider(broker, "sim-" + i, 300, tokens.get(i));
                providers.add(p);
                p.start();
            }
            if (crash) {
                ProductProcess.await("a result of round (asynchronous: task) 2 to be accepted", RUN,
                        () -> providers.stream().anyMatch(p -> p.confirmed.keySet().stream().anyMatch(k -> k.split("/")[1].equals("2"))));
                coordinator.kill9();
                Map<String, String> confirmedBeforeCrash = new HashMap<>();
                providers.forEach(p -> confirmedBeforeCrash.putAll(p.confirmed));
                coordinator = coordinator(work, ports, externalBroker, postgres).start(); // same data folder
                coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
                awaitProject(base, requestor, id, "COMPLETED"); // the tokens outlive the crash
                Map<String, String> used = usedDeltas(base, requestor, id);
                confirmedBeforeCrash.forEach((task, delta) -> assertEquals(delta, used.get(task), "accepted before the crash: " + task));
                assertEquals(12, used.size(), "2 passes x 6 shards");
                assertArrayEquals(Files.readAllBytes(in.x()), SimulatedProvider.get(base + "/api/v1/blobs/" + x, requestor),
                        "the upload survived");
            } else {
                awaitProject(base, requestor, id, "COMPLETED");
            }
            JsonObject done = ProductsTest.json(base + "/api/v1/projects/" + id, requestor);
            // asynchronous: one version per update, so an update lost or applied twice would show in the count
            int made = done.get("version").getAsInt();
            if (strategy.equals("async-lockfree")) {
                assertTrue(made >= 1 && made <= 12, "12 updates in batches: " + made + " versions");
            } else {
                assertEquals(async ? 12 : 4, made, async ? "12 updates, each applied once" : "6 shards, K=3, 2 passes: 4 rounds");
            }
            // Each version is evaluated on the validation set in the background, after it is made.
            ProductProcess.await("every version evaluated on the validation set", RUN, () -> {
                JsonArray versions = JsonParser.parseString(SimulatedProvider.getString(base + "/api/v1/projects/" + id + "/versions",
                        requestor)).getAsJsonArray();
                return versions.size() == made + 1
                        && versions.asList().stream().allMatch(v -> v.getAsJsonObject().get("loss").isJsonPrimitive());
            });
            byte[] h5 = SimulatedProvider.get(base + "/api/v1/projects/" + id + "/model?format=h5", requestor);
            assertEquals("\u0089HDF", new String(h5, 0, 4, StandardCharsets.ISO_8859_1), "a Keras .h5 comes back");
            return SimulatedProvider.readVector(SimulatedProvider.get(base + "/api/v1/projects/" + id + "/model?format=npy", requestor));
        } finally {
            for (SimulatedProvider p : providers) {
                p.close();
            }
            coordinator.close();
        }
    }

    @Test
    void aCoordinatorKilledMidRoundResumesAndEndsWithTheModelOfAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        float[] interrupted = run(tmp.resolve("crash"), inputs(), null, true);
        assertArrayEquals(uninterrupted(), interrupted, "the same rounds give the same parameters, crash or not");
    }

    /**
     * The same kill -9 with the coordinator's state in Debian's PostgreSQL: it resumes from there
     * and ends with the very model of an uninterrupted run on its H2 file.
     */
    @Test
    void aCoordinatorOnPostgreSQLKilledMidRoundResumesAndEndsWithTheModelOfAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path bin = Postgres.installed();
        assumeTrue(bin != null, "Debian's PostgreSQL is not installed (apt-get install postgresql): skipping the PostgreSQL run");
        float[] interrupted;
        try (Postgres postgres = Postgres.start(bin, ProductsTest.freePorts(1)[0])) {
            interrupted = run(tmp.resolve("crash"), inputs(), null, postgres, true, "kbatch-sync");
            assertEquals("5", postgres.query("SELECT count(*) FROM versions"), "the state was kept in PostgreSQL: versions 0 to 4");
            assertEquals("COMPLETED", postgres.query("SELECT state FROM projects"));
        }
        assertArrayEquals(uninterrupted(), interrupted, "the same rounds give the same parameters");
    }

    /**
     * DistNet's asynchronous strategies under kill -9: the coordinator dies mid-run and restarts on
     * its data; every update a provider heard ACCEPTED for is the one recorded for its task, and
     * the project ends with exactly one version per task (none lost, none applied twice; for
     * async-queue also those accepted but still queued at the crash; async-lockfree makes a version per batch).
     */
    @ParameterizedTest
    @ValueSource(strings = { "async-apply", "async-queue", "async-lockfree" })
    void anAsynchronousProjectKilledMidRunLosesNoAcknowledgedUpdateAndAppliesNoneTwice(String strategy, @TempDir Path tmp)
            throws Exception {
        float[] params = run(tmp.resolve("crash"), inputs(), null, true, strategy);
        assertTrue(params.length > 0);
    }

    @Test
    void aProjectRunsOverDebiansMosquittoAsWell(@TempDir Path tmp) throws Exception {
        assumeTrue(Mosquitto.installed(), "Debian's mosquitto is not installed (apt-get install mosquitto): skipping the external-broker run");
        try (Mosquitto mosquitto = new Mosquitto(tmp.resolve("broker"), ProductsTest.freePorts(1)[0])) {
            float[] params = run(tmp.resolve("mosquitto"), inputs(), mosquitto, false);
            assertTrue(params.length > 0);
            assertTrue(mosquitto.refusesAnonymousClients(), "anonymous clients are refused by this Mosquitto");
        }
    }

    @Test
    void aBadProjectIsRefusedWithEveryProblemAndNothingIsCreated(@TempDir Path tmp) throws Exception {
        Inputs in = inputs();
        int[] ports = ProductsTest.freePorts(2);
        String base = "http://127.0.0.1:" + ports[1];
        try (ProductProcess coordinator = coordinator(tmp.resolve("c"), ports, null).start()) {
            coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
            GridAccounts accounts = coordinator.accounts(base);
            String requestor = accounts.requestor();
            String model = upload(base, requestor, in.model());
            String x = upload(base, requestor, in.x());
            long[] ids = new long[240];
            for (int i = 0; i < 240; i++) {
                ids[i] = i % 6; // ids 3-5: the model has 3 classes
            }
            Path badLabels = tmp.resolve("bad-y.npy");
            Files.write(badLabels, Npy.of("<i8", "(240,)", Npy.longs(ids)));
            String outOfRange = upload(base, requestor, badLabels);
            String missing = "0".repeat(64);
            HttpResponse<String> refused = post(base + "/api/v1/projects", requestor, "{\"name\":\"\",\"model\":\"" + model + "\",\"x\":\"" + x
                    + "\",\"y\":\"" + missing + "\",\"epochs\":0,\"batchSize\":8,\"totalTasks\":6,\"taskSize\":9,\"maxContributors\":3,"
                    + "\"validationRate\":1.5,\"strategy\":\"magic\"}");
            assertEquals(422, refused.statusCode(), refused.body());
            String body = refused.body();
            for (String field : List.of("\"name\"", "\"epochs\"", "\"taskSize\"", "\"validationRate\"", "\"strategy\"", "\"y\"")) {
                assertTrue(body.contains("\"field\": " + field), field + " missing in " + body);
            }
            HttpResponse<String> wrongData = post(base + "/api/v1/projects", requestor, spec(model, x, outOfRange));
            assertEquals(422, wrongData.statusCode(), wrongData.body());
            assertTrue(wrongData.body().contains("\"field\": \"y\"") && wrongData.body().contains("is 3 but the model has 3 classes"),
                    wrongData.body());
            // the admin sees every account's projects: none at all
            assertEquals("[]", SimulatedProvider.getString(base + "/api/v1/projects", accounts.adminToken).replaceAll("\\s", ""),
                    "nothing was created");
        }
    }

    @Test
    void theCommandLineRefusesABadSubmissionWithEveryProblemBeforeUploadingAnything(@TempDir Path tmp) throws Exception {
        Inputs in = inputs();
        long[] ids = new long[240];
        for (int i = 0; i < 240; i++) {
            ids[i] = i % 6; // ids 3-5: the model has 3 classes
        }
        Path badLabels = tmp.resolve("bad-y.npy");
        Files.write(badLabels, Npy.of("<i8", "(240,)", Npy.longs(ids)));
        int[] ports = ProductsTest.freePorts(2);
        String base = "http://127.0.0.1:" + ports[1];
        try (ProductProcess coordinator = coordinator(tmp.resolve("c"), ports, null).start()) {
            coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
            GridAccounts accounts = coordinator.accounts(base);
            accounts.requestor();
            ProductProcess.login(tmp, base, GridAccounts.REQUESTOR, GridAccounts.passwordOf(GridAccounts.REQUESTOR));
            ProductProcess.Run submit = ProductProcess.run(ProductProcess.coordinatorHome(), tmp, "submit",
                    "--coordinator", base, "--model", in.model().toString(), "--x", in.x().toString(), "--y", badLabels.toString(),
                    "--epochs", "0", "--batch", "8", "--tasks", "6", "--k", "9");
            String out = submit.output();
            assertEquals(1, submit.exit(), out);
            assertTrue(out.contains("nothing was uploaded"), out);
            assertTrue(out.contains("--epochs must be at least 1"), out);
            assertTrue(out.contains("--k (tasks per round) must be between 1 and --tasks (6)"), out);
            assertTrue(out.contains("label 3 is 3 but the model has 3 classes"), out);
            assertTrue(!out.contains("Exception"), "one line per problem, no stack trace:\n" + out);
            String modelId = org.daig.blob.client.BlobClient.sha256(in.model());
            // asked by the admin, who reads every blob: a 404 means the coordinator has none
            HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + modelId))
                    .header("Authorization", "Bearer " + accounts.adminToken)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, head.statusCode(), "the model was not uploaded");
        }
    }
}
