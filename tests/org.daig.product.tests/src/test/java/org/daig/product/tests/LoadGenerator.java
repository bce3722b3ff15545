package org.daig.product.tests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The protocol-level load test of issue 4: N simulated providers (no DL4J) against one
 * coordinator product on this machine. Reports task-assignment latency (request → TASK reply,
 * p50/p99), results per second, and checks that no result was lost: every result a provider was
 * told ACCEPTED is in the coordinator's audit list with the same delta, and each task appears once.
 *
 * <pre>releng/bench/load-test.sh 100 1000</pre>
 */
public final class LoadGenerator {

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("daig-load");
        for (String arg : args) {
            run(work.resolve("n" + arg), Integer.parseInt(arg));
        }
    }

    static void run(Path work, int providers) throws Exception {
        int rows = Math.max(4000, providers * 4);
        int tasks = providers * 3;
        int[] ports = ProductsTest.freePorts(2);
        String base = "http://127.0.0.1:" + ports[1];
        String broker = "tcp://127.0.0.1:" + ports[0];
        Files.createDirectories(work);
        Path model = work.resolve("model.h5");
        ProductProcess.daig(work, "model", "make-mlp", "--out", model.toString(), "--inputs", "8", "--outputs", "3", "--hidden", "16", "--seed", "3");
        SplittableRandom random = new SplittableRandom(5);
        ByteBuffer x = ByteBuffer.allocate(rows * 32).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer y = ByteBuffer.allocate(rows * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 8; c++) {
                x.putFloat((float) random.nextGaussian());
            }
            y.putLong(r % 3);
        }
        Files.write(work.resolve("x.npy"), Npy.of("<f4", "(" + rows + ", 8)", x.array()));
        Files.write(work.resolve("y.npy"), Npy.of("<i8", "(" + rows + ",)", y.array()));

        try (ProductProcess coordinator = ProductProcess.coordinator(work.resolve("coordinator"))
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", broker)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                // simulated providers compute no gradient: there is nothing the coordinator could replay
                .set("org.daig.coordinator.projects.cfg", "spotCheckRate", 0).set("org.daig.coordinator.projects.cfg", "spotCheckNewDevices", 0)
                .start()) {
            coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
            GridAccounts accounts = coordinator.accounts(base);
            String token = accounts.requestor();
            String m = upload(base, token, Files.readAllBytes(model));
            String xs = upload(base, token, Files.readAllBytes(work.resolve("x.npy")));
            String ys = upload(base, token, Files.readAllBytes(work.resolve("y.npy")));
            String body = "{\"name\":\"load " + providers + "\",\"model\":\"" + m + "\",\"x\":\"" + xs + "\",\"y\":\"" + ys
                    + "\",\"epochs\":1,\"batchSize\":8,\"totalTasks\":" + tasks + ",\"taskSize\":" + providers + ",\"maxContributors\":"
                    + providers + ",\"validationRate\":0.05,\"passes\":1,\"seed\":1}";
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                throw new IllegalStateException(created.body());
            }
            String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
            ProductProcess.await("project prepared", Duration.ofSeconds(120),
                    () -> !ProductsTest.json(base + "/api/v1/projects/" + id, token).get("state").getAsString().equals("PREPARING"));
            // Each simulated provider is enrolled (one code for all) and logs in to the broker with its device token.
            String code = accounts.enrolmentCode(providers);
            // Enrol and connect in parallel: one MQTT connect takes ~0.5 s here, 1,000 in a row would take minutes.
            List<SimulatedProvider> sims = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.ExecutorService connecting = java.util.concurrent.Executors.newFixedThreadPool(32);
            for (int i = 0; i < providers; i++) {
                String name = "load-" + i;
                connecting.execute(() -> {
                    try {
                        sims.add(new SimulatedProvider(broker, name, 1000, GridAccounts.enrol(base, name, code)));
                    } catch (Exception e) {
                        System.err.println(name + " could not connect: " + e);
                    }
                });
            }
            connecting.shutdown();
            connecting.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES);
            if (sims.size() != providers) {
                throw new IllegalStateException((providers - sims.size()) + " simulated providers could not connect");
            }
            long start = System.nanoTime();
            sims.forEach(SimulatedProvider::start);
            ProductProcess.await("project completed", Duration.ofSeconds(900),
                    () -> ProductsTest.json(base + "/api/v1/projects/" + id, token).get("state").getAsString().equals("COMPLETED"));
            double seconds = (System.nanoTime() - start) / 1e9;
            List<Long> latencies = new ArrayList<>();
            Map<String, String> confirmed = new HashMap<>();
            int duplicates = 0;
            int refused = 0;
            for (SimulatedProvider s : sims) {
                latencies.addAll(s.assignMillis);
                confirmed.putAll(s.confirmed);
                duplicates += s.duplicates.get();
                refused += s.refused.get();
            }

            Map<String, String> stored = new HashMap<>();
            Set<String> seen = new HashSet<>();
            boolean once = true;
            for (JsonElement e : JsonParser.parseString(SimulatedProvider.getString(base + "/api/v1/projects/" + id + "/results",
                    token)).getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                String task = id + "/" + o.get("round").getAsInt() + "/" + o.get("shard").getAsInt();
                once &= seen.add(task);
                stored.put(task, o.get("deltaBlob").getAsString());
            }
            long lost = confirmed.entrySet().stream().filter(c -> !c.getValue().equals(stored.get(c.getKey()))).count();
            latencies.sort(null);
            System.out.printf(Locale.ROOT, "%d providers, %d tasks in %d rounds: %.1f s, %.1f results/s; assignment latency p50 %d ms, p99 %d ms "
                    + "(%d assignments); accepted %d, stored %d, lost %d, each task once: %s; duplicates %d, refused %d%n", providers, tasks,
                    tasks / providers, seconds, tasks / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.size(),
                    confirmed.size(), stored.size(), lost, once, duplicates, refused);
            java.util.concurrent.ExecutorService closing = java.util.concurrent.Executors.newFixedThreadPool(32);
            for (SimulatedProvider sim : sims) {
                closing.execute(() -> {
                    try {
                        sim.close();
                    } catch (Exception e) {
                        // going away anyway
                    }
                });
            }
            closing.shutdown();
            closing.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String upload(String base, String token, byte[] bytes) throws Exception {
        String id = SimulatedProvider.sha256(bytes);
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + id))
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        return id;
    }
}
