package org.daig.product.tests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.daig.api.trainer.TrainerClient;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A real coordinator product with simulated volunteers that train for real (in {@link TrainerPool}
 * workers) and some that attack ({@link Attack}): the attack grid test and the byzantine benchmark
 * run projects on it, one after the other, each with fresh devices, and read what the coordinator
 * made of them: the final model's test accuracy, which results it kept, whom it banned and when,
 * and its aggregation time.
 */
final class ByzantineGrid implements AutoCloseable {

    /** The data and the requestor's model: train and test .npy files, a Keras .h5 or .keras. */
    record Data(Path trainX, Path trainY, Path testX, Path testY, Path model) {
    }

    /** One project: how many volunteers, how many of them attack and how, the rule, and the training. */
    record Setup(int volunteers, int malicious, Attack attack, String rule, int tasks, int k, int passes, int epochs, int batch, long seed) {

        Setup with(int volunteersNow, int maliciousNow, Attack attackNow, String ruleNow) {
            return new Setup(volunteersNow, maliciousNow, attackNow, ruleNow, tasks, k, passes, epochs, batch, seed);
        }
    }

    /**
     * What became of a project. Malicious results: sent, accepted on arrival, and kept (still
     * among the project's results at the end: neither refused nor taken back by a spot check).
     */
    record Figures(String projectId, Setup setup, String state, double accuracy, int maliciousSent, int maliciousAccepted, int maliciousKept,
            int banned,
            double meanBanRound, int rounds, double aggregationMs, double roundMs, double seconds, double medianNorm) {

        String line(double cleanAccuracy, double meanAggregationMs) {
            return String.format(Locale.ROOT, "%-28s %-36s %2d of %2d  accuracy %.4f (%+.2f points)  malicious results kept %d of %d "
                    + "(accepted on arrival %d)  banned %d of %d%s  aggregation %.1f ms/round (%.2fx mean, %.1f%% of round)  %.0f s",
                    setup.attack.label, setup.rule, setup.malicious, setup.volunteers, accuracy, 100 * (accuracy - cleanAccuracy),
                    maliciousKept, maliciousSent, maliciousAccepted, banned, setup.malicious,
                    banned > 0 ? String.format(Locale.ROOT, " after %.1f rounds", meanBanRound) : "", aggregationMs,
                    meanAggregationMs > 0 ? aggregationMs / meanAggregationMs : Double.NaN, roundMs > 0 ? 100 * aggregationMs / roundMs : 0,
                    seconds);
        }
    }

    private final ProductProcess coordinator;
    private final String base;
    private final String broker;
    private final GridAccounts accounts;
    private final String requestor;
    private final TrainerPool pool;
    private final Data data;
    private final Path cache;
    private final String modelId;
    private final String xId;
    private final String yId;
    private final AtomicInteger projects = new AtomicInteger();

    /** Starts a coordinator with its shipped configuration (spot checks and all) and {@code workers} training workers. */
    ByzantineGrid(Path work, Data data, int workers) throws Exception {
        this(work, data, workers, true);
    }

    /** As above; without {@code spotChecks} the coordinator replays nothing, so that the rules alone can be seen. */
    ByzantineGrid(Path work, Data data, int workers, boolean spotChecks) throws Exception {
        this.data = data;
        int[] ports = ProductsTest.freePorts(2);
        base = "http://127.0.0.1:" + ports[1];
        broker = "tcp://127.0.0.1:" + ports[0];
        cache = Files.createDirectories(work.resolve("blobs"));
        coordinator = ProductProcess.coordinator(work.resolve("coordinator"))
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", broker)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1]);
        if (!spotChecks) {
            coordinator.set("org.daig.coordinator.projects.cfg", "spotCheckRate", 0).set("org.daig.coordinator.projects.cfg",
                    "spotCheckNewDevices", 0);
        }
        coordinator.start();
        coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
        accounts = coordinator.accounts(base);
        requestor = accounts.requestor();
        pool = new TrainerPool(workers, 1, work.resolve("workers"));
        modelId = upload(Files.readAllBytes(data.model()));
        xId = upload(Files.readAllBytes(data.trainX()));
        yId = upload(Files.readAllBytes(data.trainY()));
    }

    private String upload(byte[] bytes) throws Exception {
        String id = SimulatedProvider.sha256(bytes);
        HttpResponse<String> r = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + id))
                .header("Authorization", "Bearer " + requestor).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("uploading " + id + " answered " + r.statusCode() + ": " + r.body());
        }
        return id;
    }

    /** Runs one project to its end (or {@code timeout}) and reads what the coordinator made of it. */
    Figures run(Setup s, Duration timeout) throws Exception {
        int n = projects.incrementAndGet();
        String spec = "{\"name\":\"byzantine " + n + "\",\"model\":\"" + modelId + "\",\"x\":\"" + xId + "\",\"y\":\"" + yId
                + "\",\"epochs\":" + s.epochs + ",\"batchSize\":" + s.batch + ",\"totalTasks\":" + s.tasks + ",\"taskSize\":" + s.k
                + ",\"maxContributors\":" + s.volunteers + ",\"validationRate\":0.0,\"passes\":" + s.passes + ",\"seed\":" + s.seed
                + ",\"strategy\":\"kbatch-sync/" + s.rule + "\"}";
        HttpResponse<String> created = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects"))
                .header("Authorization", "Bearer " + requestor).POST(HttpRequest.BodyPublishers.ofString(spec)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("submitting " + spec + " answered " + created.statusCode() + ": " + created.body());
        }
        String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
        double[] metricsBefore = metrics();
        // the honest volunteers share an account; each attacker has its own (a ban holds for every device of an account)
        String code = accounts.enrolmentCode(s.volunteers);
        Attack.Collusion collusion = new Attack.Collusion();
        List<SimulatedProvider> honest = new ArrayList<>();
        List<SimulatedProvider> malicious = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < s.volunteers; i++) {
                String device = "b" + n + "-v" + i;
                Attack attack = i < s.malicious ? s.attack : Attack.NONE;
                SplittableRandom random = new SplittableRandom(s.seed * 1000 + i);
                String enrolment = attack == Attack.NONE ? code : accounts.enrolmentCode("attacker-" + n + "-" + i, 1);
                SimulatedProvider p = new SimulatedProvider(broker, device, 0, GridAccounts.enrol(base, device, enrolment),
                        new Volunteer(attack, random, collusion));
                (attack == Attack.NONE ? honest : malicious).add(p);
            }
            honest.forEach(SimulatedProvider::start);
            malicious.forEach(SimulatedProvider::start);
            String[] state = new String[1];
            try {
                ProductProcess.await("project " + id + " (" + s.attack.label + ", " + s.rule + ") to end", timeout, () -> {
                    state[0] = ProductsTest.json(base + "/api/v1/projects/" + id, requestor).get("state").getAsString();
                    return Set.of("COMPLETED", "FAILED", "CANCELLED").contains(state[0]);
                });
            } catch (AssertionError | RuntimeException e) {
                List<String> log = coordinator.output();
                StringBuilder why = new StringBuilder(e.getMessage()).append("\nvolunteers:");
                for (SimulatedProvider p : honest) {
                    why.append("\n  honest ").append(p.id).append(": accepted ").append(p.accepted).append(", last error ").append(p.lastError);
                }
                for (SimulatedProvider p : malicious) {
                    why.append("\n  malicious ").append(p.id).append(": accepted ").append(p.accepted).append(", refused ").append(p.refused)
                            .append(", banned ").append(p.banned).append(", last error ").append(p.lastError);
                }
                why.append("\nthe coordinator's last lines:\n").append(String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size())));
                throw new AssertionError(why.toString(), e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return figures(s, id, state[0], honest, malicious, metricsBefore, seconds);
        } finally {
            close(honest);
            close(malicious);
        }
    }

    /**
     * A simulated volunteer's updates: a real training in a trainer worker (reported with its thread
     * count and runtime, as a provider reports them, so the coordinator's replay must match it bit for
     * bit), then what its attack makes of it.
     */
    private final class Volunteer implements SimulatedProvider.Update {
        private final Attack attack;
        private final SplittableRandom random;
        private final Attack.Collusion collusion;
        private volatile Integer threads;
        private volatile String runtime;

        Volunteer(Attack attack, SplittableRandom random, Attack.Collusion collusion) {
            this.attack = attack;
            this.random = random;
            this.collusion = collusion;
        }

        @Override
        public float[] make(JsonObject task, float[] params, String token) throws Exception {
            float[] honestUpdate = null;
            if (attack.trains()) {
                String blobs = task.get("blobBaseUrl").getAsString();
                Path model = blob(blobs, task.get("model").getAsString(), token);
                Path x = blob(blobs, task.get("x").getAsString(), token);
                Path y = blob(blobs, task.get("y").getAsString(), token);
                Path labels = attack.poisonsData() ? flipped(y) : y;
                TrainerClient.TrainResult trained = pool.use(model, true, t -> t.train(new TrainerClient.TrainRequest(
                        TrainerClient.DataFiles.all(x, labels), task.get("epochs").getAsInt(), task.get("batchSize").getAsInt(),
                        task.get("seed").getAsLong()), params));
                honestUpdate = trained.delta();
                threads = trained.threads();
                runtime = trained.runtime();
            }
            return attack.apply(honestUpdate, params.length, random, collusion);
        }

        @Override
        public Integer threads() {
            return threads;
        }

        @Override
        public String runtime() {
            return runtime;
        }
    }

    /** A task's blob on disk, fetched once with the device's token. */
    private Path blob(String blobs, String id, String token) throws Exception {
        Path file = cache.resolve(id);
        if (!Files.exists(file)) {
            Path part = Files.createTempFile(cache, id, ".part");
            Files.write(part, SimulatedProvider.get(blobs + id, token));
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    /** The labels of an int64 .npy, each y replaced by 9 - y (ten classes): a label-flipping poisoner's shard. */
    private Path flipped(Path labels) throws IOException {
        Path file = labels.resolveSibling(labels.getFileName() + ".flipped");
        if (!Files.exists(file)) {
            byte[] npy = Files.readAllBytes(labels);
            int header = 10 + ((npy[8] & 0xff) | (npy[9] & 0xff) << 8);
            if (!new String(npy, 10, header - 10, StandardCharsets.ISO_8859_1).contains("'<i8'")) {
                throw new IOException(labels + ": label flipping needs int64 labels");
            }
            ByteBuffer data = ByteBuffer.wrap(npy, header, npy.length - header).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = header; i < npy.length; i += 8) {
                data.putLong(i, 9 - data.getLong(i));
            }
            Path part = Files.createTempFile(cache, "flipped", ".part");
            Files.write(part, npy);
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    private Figures figures(Setup s, String id, String state, List<SimulatedProvider> honest, List<SimulatedProvider> malicious,
            double[] metricsBefore, double seconds) throws Exception {
        double[] metricsAfter = metrics();
        int rounds = (int) Math.round(metricsAfter[1] - metricsBefore[1]);
        double aggregationMs = rounds == 0 ? 0 : 1000 * (metricsAfter[0] - metricsBefore[0]) / rounds;
        JsonArray versions = JsonParser.parseString(SimulatedProvider.getString(base + "/api/v1/projects/" + id + "/versions", requestor))
                .getAsJsonArray();
        List<Long> versionTimes = new ArrayList<>();
        versions.forEach(v -> versionTimes.add(v.getAsJsonObject().get("at").getAsLong()));
        versionTimes.sort(null);
        double roundMs = versionTimes.size() < 2 ? 0
                : (versionTimes.get(versionTimes.size() - 1) - versionTimes.get(0)) / (double) (versionTimes.size() - 1);

        Set<String> attackers = new HashSet<>();
        malicious.forEach(p -> attackers.add(p.id));
        int sent = 0;
        int accepted = 0;
        for (SimulatedProvider p : malicious) {
            sent += p.accepted.get() + p.refused.get() + p.duplicates.get() + p.stale.get();
            accepted += p.accepted.get();
        }
        int kept = 0;
        List<Double> norms = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(SimulatedProvider.getString(base + "/api/v1/projects/" + id + "/results", requestor))
                .getAsJsonArray()) {
            JsonObject r = e.getAsJsonObject();
            kept += attackers.contains(r.get("providerId").getAsString()) ? 1 : 0;
            norms.add(r.get("norm").getAsDouble());
        }
        norms.sort(null);
        int banned = 0;
        double banRounds = 0;
        for (JsonElement e : JsonParser.parseString(SimulatedProvider.getString(base + "/api/v1/volunteers", accounts.adminToken))
                .getAsJsonArray()) {
            JsonObject v = e.getAsJsonObject();
            if (attackers.contains(v.get("providerId").getAsString()) && v.get("banned").getAsBoolean()) {
                banned++;
                long at = v.get("lastAt").getAsLong();
                banRounds += versionTimes.stream().skip(1).filter(t -> t <= at).count();
            }
        }
        double accuracy = Double.NaN;
        if (state.equals("COMPLETED")) {
            float[] params = SimulatedProvider.readVector(SimulatedProvider.get(base + "/api/v1/projects/" + id + "/model?format=npy",
                    requestor));
            accuracy = pool.use(data.model(), false, t -> t.evaluate(TrainerClient.DataFiles.all(data.testX(), data.testY()), params))
                    .accuracy();
        }
        for (SimulatedProvider p : honest) {
            if (p.banned.get()) {
                throw new IllegalStateException("honest volunteer " + p.id + " was banned: the coordinator's replay disagreed with a real training");
            }
        }
        return new Figures(id, s, state, accuracy, sent, accepted, kept, banned, banned == 0 ? 0 : banRounds / banned, rounds, aggregationMs,
                roundMs, seconds, norms.isEmpty() ? Double.NaN : norms.get(norms.size() / 2));
    }

    /** The requestor's download of a project's newest model in {@code format} (model, keras, h5, zip or npy). */
    byte[] download(String projectId, String format) throws Exception {
        return SimulatedProvider.get(base + "/api/v1/projects/" + projectId + "/model?format=" + format, requestor);
    }

    /** The parameters a trainer worker reads from {@code model} (a Keras file). */
    float[] params(Path model) throws Exception {
        return pool.use(model, false, t -> t.params());
    }

    /** The coordinator's aggregation seconds and rounds so far (its /metrics). */
    private double[] metrics() throws Exception {
        String text = SimulatedProvider.getString(base + "/metrics", accounts.adminToken);
        return new double[] { metric(text, "daig_aggregation_seconds_total"), metric(text, "daig_rounds_total") };
    }

    private static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)$").matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in the coordinator's metrics");
        }
        return Double.parseDouble(m.group(1));
    }

    private static void close(List<SimulatedProvider> providers) throws InterruptedException {
        ExecutorService closing = Executors.newFixedThreadPool(8);
        for (SimulatedProvider p : providers) {
            closing.execute(() -> {
                try {
                    p.close();
                } catch (Exception e) {
                    // going away anyway
                }
            });
        }
        closing.shutdown();
        closing.awaitTermination(1, TimeUnit.MINUTES);
    }

    @Override
    public void close() throws InterruptedException {
        pool.close();
        coordinator.close();
    }
}
