package org.daig.product.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The protocol-level load test: N simulated providers (no DL4J, see {@link LoadProvider}) against
 * one coordinator product on this machine. Reports task-assignment latency (request, or the moment
 * its task could exist, → TASK reply, p50/p99; see {@link LoadProvider}), results per second (a
 * sustained run's: those the coordinator accepted within its minutes, over those minutes; its heap
 * probes' last full collection comes after them), the coordinator's heap, and checks that no result
 * was lost: every result a provider was told ACCEPTED is in the coordinator's audit list with the
 * same delta, and each task appears once.
 *
 * <pre>
 * releng/bench/load-test.sh 100 1000                    a project of 3 rounds of N tasks each, to its end
 * releng/bench/load-test.sh --minutes 10 10000          N providers working for 10 minutes (tasks of --work-ms)
 * LOAD_JAVA_OPTS=-Ddaig.load.coordinatorJava=/usr/lib/jvm/JDK releng/bench/load-test.sh 1000     the coordinator on another JDK
 * </pre>
 *
 * Bounded in time: whatever happens, it ends within its deadline, exits non-zero and says why.
 */
public final class LoadGenerator {

    /** The Java the coordinator runs on: {@code -Ddaig.load.coordinatorJava=DIR} (a JDK's home), else the generator's own. */
    private static final String COORDINATOR_JAVA = System.getProperty("daig.load.coordinatorJava", System.getProperty("java.home"));
    /**
     * GC.heap_info's "used" of each part of the heap (G1's one heap, the parallel collector's young
     * and old generations), as JDK 17 ("total 2048K, used …") and JDK 25 ("total reserved …, committed …, used …") write it.
     */
    private static final Pattern HEAP_USED = Pattern.compile(
            "^\\s*(?:garbage-first heap|PSYoungGen|ParOldGen)\\s+total (?:reserved \\d+K, committed )?\\d+K, used (\\d+)K", Pattern.MULTILINE);

    private record Options(List<Integer> sizes, double minutes, long workMillis) {
    }

    public static void main(String[] args) {
        // the MQTT client's and Netty's debug logging would drown the summary
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int exit;
        try {
            Options options = parse(args);
            double deadlineMinutes = options.sizes().stream().mapToDouble(n -> budgetMinutes(n, options)).sum();
            watchdog(deadlineMinutes);
            Path work = Files.createTempDirectory("daig-load");
            boolean passed = true;
            for (int i = 0; i < options.sizes().size(); i++) {
                int n = options.sizes().get(i);
                passed &= run(work.resolve("run" + (i + 1) + "-n" + n), n, options);
            }
            exit = passed ? 0 : 1;
            if (passed) {
                deleteTree(work); // a 10,000-provider run leaves about 2 GB of blobs and logs
            } else {
                System.err.println("load-test: the coordinator's logs and data are kept in " + work);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("load-test: " + e.getMessage());
            exit = 2;
        } catch (Exception e) {
            System.err.println("load-test: failed: " + e);
            exit = 1;
        }
        System.exit(exit); // the MQTT event loop and HTTP threads would keep the JVM alive
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static Options parse(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        double minutes = 0;
        long workMillis = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
            case "--minutes" -> minutes = Double.parseDouble(value(args, ++i, "--minutes"));
            case "--work-ms" -> workMillis = Long.parseLong(value(args, ++i, "--work-ms"));
            default -> {
                try {
                    sizes.add(Integer.parseInt(args[i]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + args[i] + "' is not a provider count; usage: load-test.sh [--minutes M] "
                            + "[--work-ms W] N [N ...]");
                }
            }
            }
        }
        if (sizes.isEmpty()) {
            sizes.add(100);
        }
        // sustained runs: tasks long enough that N providers offer about N/20 results a second, as volunteers' minutes-long tasks do
        long work = workMillis >= 0 ? workMillis : minutes > 0 ? 15_000 : 1000;
        return new Options(sizes, minutes, work);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** How long a run may take before the watchdog ends it: connecting, the work, and a margin. */
    private static double budgetMinutes(int providers, Options options) {
        double connect = 2 + providers / 1000.0;
        double working = options.minutes() > 0 ? options.minutes() : 3 * (options.workMillis() / 60_000.0 + providers / 2000.0 + 0.5);
        return connect + working + 3;
    }

    private static void watchdog(double minutes) {
        Thread dog = new Thread(() -> {
            try {
                Thread.sleep((long) (minutes * 60_000));
                System.err.printf(Locale.ROOT, "load-test: gave up: not finished within its deadline of %.1f minutes%n", minutes);
                System.exit(3);
            } catch (InterruptedException e) {
                // finished
            }
        }, "load-test-deadline");
        dog.setDaemon(true);
        dog.start();
    }

    static boolean run(Path work, int providers, Options options) throws Exception {
        boolean sustained = options.minutes() > 0;
        int rows = Math.max(4000, providers * 4);
        int tasks = sustained ? providers : providers * 3;
        int[] ports = ProductsTest.freePorts(2);
        String base = "http://127.0.0.1:" + ports[1];
        Files.createDirectories(work);
        Path model = work.resolve("model.h5");
        ProductProcess.daig(work, "model", "make-mlp", "--out", model.toString(), "--inputs", "8", "--outputs", "3", "--hidden", "16", "--seed", "3");
        writeData(work, rows);

        try (ProductProcess coordinator = ProductProcess.coordinator(work.resolve("coordinator"))
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "tcp://127.0.0.1:" + ports[0])
                // -Ddaig.load.localRoute=false: the coordinator's bus reaches its own broker over TCP, as before the in-process route
                .set("org.daig.transport.mqtt-coordinator.cfg", "localRoute", System.getProperty("daig.load.localRoute", "true"))
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                // simulated providers compute no gradient: there is nothing the coordinator could replay
                .set("org.daig.coordinator.projects.cfg", "spotCheckRate", 0).set("org.daig.coordinator.projects.cfg", "spotCheckNewDevices", 0)
                .env("JAVA_OPTS", "-Xmx2g " + System.getProperty("daig.load.coordinatorOpts", "")) // e.g. a profiler
                .env("JAVA_HOME", COORDINATOR_JAVA) // another JDK for the coordinator only (the generator's by default)
                .start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    coordinator.close(); // also when the watchdog ends the run
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
            GridAccounts accounts = coordinator.accounts(base);
            String token = accounts.requestor();
            String id = createProject(base, token, work, providers, tasks, sustained);
            String code = accounts.enrolmentCode(providers);

            ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
            HttpGate http = new HttpGate(httpInFlight(providers));
            List<LoadProvider> sims = enrolAndConnect(base, ports[0], providers, code, options.workMillis(), timers, http);
            long startMillis = System.currentTimeMillis();
            long start = System.nanoTime();
            sims.forEach(LoadProvider::start);
            List<Long> heapMiB = new ArrayList<>();
            Window window;
            if (sustained) {
                long end = start + (long) (options.minutes() * 60e9);
                for (long mark = start + 60_000_000_000L; System.nanoTime() < end; mark = Math.min(end, mark + 60_000_000_000L)) {
                    Thread.sleep(Math.max(1, (mark - System.nanoTime()) / 1_000_000));
                    if (mark < end) {
                        awaitQuietPart(sims.get(0).rounds(), options.workMillis(), Math.min(end, mark + 30_000_000_000L));
                    }
                    heapMiB.add(heapAfterGc(coordinator.pid()));
                }
                // the run's minutes, not the last probe's full collection after them; results count if accepted within them
                window = new Window(options.minutes() * 60, startMillis + (long) (options.minutes() * 60_000));
            } else {
                ProductProcess.await("project completed", Duration.ofMinutes(15),
                        () -> ProductsTest.json(base + "/api/v1/projects/" + id, token).get("state").getAsString().equals("COMPLETED"));
                awaitLastAnswers(sims, tasks);
                window = new Window((System.nanoTime() - start) / 1e9, Long.MAX_VALUE);
            }
            sims.forEach(LoadProvider::stop);
            boolean passed = report(base, token, id, providers, tasks, sims, window, heapMiB, sustained);
            http.close();
            coordinator.terminate(Duration.ofSeconds(60)); // as a service manager stops it (a profiler writes its recording)
            return passed;
        }
    }

    /**
     * Waits (until {@code deadline}, nanoTime) for the middle of a round's work, when the providers
     * are all "training" and the coordinator has nothing to do: the heap probe's full collection
     * stops the coordinator for 0.24-0.39 s (G1, the parallel collector), and there it stalls
     * nothing the run measures. At a minute's mark it could fall into a round's uploads.
     */
    private static void awaitQuietPart(LoadProvider.Rounds rounds, long workMillis, long deadline) throws InterruptedException {
        long from = workMillis * 250_000L; // a quarter and three quarters of a task's work, in nanoseconds
        long to = workMillis * 750_000L;
        while (System.nanoTime() < deadline) {
            long since = rounds.sinceLastRoundEnd(System.nanoTime());
            if (since >= from && since <= to) {
                return;
            }
            Thread.sleep(50);
        }
    }

    /**
     * The project is complete once its last result is stored; the answers to the last results may
     * still be on their way. Waits a little for them, so that "accepted" counts every answer that
     * came; one that never comes shows as accepted below stored.
     */
    private static void awaitLastAnswers(List<LoadProvider> sims, int tasks) {
        try {
            ProductProcess.await("the answers to the last results", Duration.ofSeconds(10),
                    () -> sims.stream().mapToInt(s -> s.confirmed.size()).sum() >= tasks);
        } catch (AssertionError notAll) {
            // reported as accepted < stored
        }
    }

    private static void writeData(Path work, int rows) throws IOException {
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
    }

    /**
     * A K-batch synchronous project where each round is one task per provider: three rounds to
     * its end, or (sustained) as many passes as the run needs.
     */
    private static String createProject(String base, String token, Path work, int providers, int tasks, boolean sustained) throws Exception {
        String m = upload(base, token, Files.readAllBytes(work.resolve("model.h5")));
        String xs = upload(base, token, Files.readAllBytes(work.resolve("x.npy")));
        String ys = upload(base, token, Files.readAllBytes(work.resolve("y.npy")));
        String body = "{\"name\":\"load " + providers + "\",\"model\":\"" + m + "\",\"x\":\"" + xs + "\",\"y\":\"" + ys
                + "\",\"epochs\":1,\"batchSize\":8,\"totalTasks\":" + tasks + ",\"taskSize\":" + providers + ",\"maxContributors\":"
                + providers + ",\"validationRate\":0.05,\"passes\":" + (sustained ? 10_000 : 1) + ",\"seed\":1}";
        HttpResponse<String> created = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("creating the project answered " + created.statusCode() + ": " + created.body());
        }
        String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
        ProductProcess.await("project prepared", Duration.ofMinutes(5),
                () -> !ProductsTest.json(base + "/api/v1/projects/" + id, token).get("state").getAsString().equals("PREPARING"));
        return id;
    }

    /** Enrols every provider (one code for all) and connects it with its device token; fails if one never gets in. */
    private static List<LoadProvider> enrolAndConnect(String base, int port, int providers, String code, long workMillis,
            ScheduledExecutorService timers, HttpGate http) throws Exception {
        List<LoadProvider> sims = new ArrayList<>();
        LoadProvider.Rounds rounds = new LoadProvider.Rounds();
        long enrolStart = System.nanoTime();
        ExecutorService enrolling = Executors.newFixedThreadPool(16);
        List<CompletableFuture<LoadProvider>> enrolled = new ArrayList<>();
        for (int i = 0; i < providers; i++) {
            String name = "load-" + i;
            enrolled.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new LoadProvider("127.0.0.1", port, name, GridAccounts.enrol(base, name, code), workMillis, timers, http, rounds);
                } catch (IOException e) {
                    throw new IllegalStateException(name + " could not enrol: " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(name + " was interrupted while enrolling", e);
                }
            }, enrolling));
        }
        CompletableFuture.allOf(enrolled.toArray(CompletableFuture[]::new)).get(budgetSeconds(providers), TimeUnit.SECONDS);
        enrolling.shutdown();
        long connectStart = System.nanoTime();
        // at most 200 connects in flight, as a grid's volunteers do not all press the button in the same millisecond
        Semaphore inFlight = new Semaphore(200);
        List<CompletableFuture<Void>> connected = new ArrayList<>();
        for (CompletableFuture<LoadProvider> e : enrolled) {
            LoadProvider sim = e.join();
            sims.add(sim);
            inFlight.acquire();
            connected.add(sim.connect().whenComplete((ok, failure) -> inFlight.release()));
        }
        CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).get(budgetSeconds(providers), TimeUnit.SECONDS);
        // what a grid's reconnect storm (after a broker or coordinator restart) costs is the connect time
        System.out.printf(Locale.ROOT, "%d providers enrolled in %.1f s, connected and subscribed in %.1f s%n", providers,
                (connectStart - enrolStart) / 1e9, (System.nanoTime() - connectStart) / 1e9);
        return sims;
    }

    /**
     * How many HTTP requests the simulated providers may have in flight: all of them, unless the
     * open-file limit (the coordinator's is this process's) cannot hold an MQTT and an HTTP
     * connection for every provider and a thousand files besides.
     */
    private static int httpInFlight(int providers) {
        long files = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : Long.MAX_VALUE;
        long room = files - providers - 1000;
        if (room >= providers) {
            return providers;
        }
        int limit = (int) Math.max(100, room);
        System.out.printf(Locale.ROOT, "load-test: open files are limited to %d here (2 per provider and 1,000 more would be %d): "
                + "at most %d HTTP requests in flight, so that the coordinator has a descriptor for each%n", files, 2L * providers + 1000, limit);
        return limit;
    }

    private static long budgetSeconds(int providers) {
        return 60 + providers / 20;
    }

    /** The time a run's results per second are counted over: its seconds, and the last moment (epoch ms) a result counts in. */
    private record Window(double seconds, long endMillis) {
    }

    private static boolean report(String base, String token, String id, int providers, int tasks, List<LoadProvider> sims, Window window,
            List<Long> heapMiB, boolean sustained) throws Exception {
        double seconds = window.seconds();
        List<Long> latencies = new ArrayList<>();
        Map<Integer, List<Long>> byRound = new java.util.TreeMap<>(); // 5: the fifth round and later
        Map<String, String> confirmed = new HashMap<>();
        int duplicates = 0;
        int refused = 0;
        int unanswered = 0;
        int connects = 0;
        for (LoadProvider s : sims) {
            latencies.addAll(s.assignMillis);
            for (int i = 0; i < Math.min(s.assignMillis.size(), s.assignRounds.size()); i++) {
                byRound.computeIfAbsent(Math.min(s.assignRounds.get(i), 5), r -> new ArrayList<>()).add(s.assignMillis.get(i));
            }
            confirmed.putAll(s.confirmed);
            duplicates += s.duplicates.get();
            refused += s.refused.get();
            unanswered += s.unanswered.get();
            connects += s.connectAttempts.get();
        }
        Map<String, String> stored = new HashMap<>();
        Set<String> seen = new HashSet<>();
        long inWindow = 0;
        boolean once = true;
        for (JsonElement e : JsonParser.parseString(SimulatedProvider.getString(base + "/api/v1/projects/" + id + "/results", token))
                .getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            String task = id + "/" + o.get("round").getAsInt() + "/" + o.get("shard").getAsInt();
            once &= seen.add(task);
            stored.put(task, o.get("deltaBlob").getAsString());
            inWindow += o.get("acceptedAt").getAsLong() <= window.endMillis() ? 1 : 0;
        }
        long lost = confirmed.entrySet().stream().filter(c -> !c.getValue().equals(stored.get(c.getKey()))).count();
        latencies.sort(null);
        // sustained: what the coordinator took within the run's minutes, answers lost or not
        long results = sustained ? inWindow : tasks;
        StringBuilder rounds = new StringBuilder("assignment latency by round (p50/p99/max ms):");
        byRound.forEach((round, ms) -> {
            ms.sort(null);
            rounds.append(' ').append(round == 5 ? "5+" : round).append(": ").append(percentile(ms, 0.5)).append('/')
                    .append(percentile(ms, 0.99)).append('/').append(ms.get(ms.size() - 1));
        });
        System.out.println(rounds);
        List<LoadProvider> retried = sims.stream().filter(s -> s.httpRetries.get() > 0).toList();
        if (!retried.isEmpty()) {
            System.out.println("downloads or uploads tried again: " + retried.stream().mapToInt(s -> s.httpRetries.get()).sum() + " by "
                    + retried.size() + " provider(s), e.g. after: " + retried.get(0).lastProblem);
        }
        List<Double> roundSeconds = sims.isEmpty() ? List.of() : sims.get(0).rounds().roundSeconds();
        if (!sims.isEmpty()) {
            sims.get(0).rounds().stepSpans().forEach(line -> System.out.println("  " + line));
        }
        if (sustained && !roundSeconds.isEmpty()) {
            // results per second come in whole rounds; the time a round takes shows a change that one round more or less would hide
            double mean = roundSeconds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            System.out.println("round time (last result to last result, s): " + roundSeconds.stream()
                    .map(t -> String.format(Locale.ROOT, "%.1f", t)).toList()
                    + String.format(Locale.ROOT, "; mean %.2f s, %.1f results/s in these rounds", mean, providers / mean));
        }
        String heap = heapMiB.isEmpty() ? "" : String.format(Locale.ROOT, "; coordinator heap after GC %s MiB", heapMiB);
        System.out.printf(Locale.ROOT, "%d providers (%d connect attempts), %d results in %.1f s: %.1f results/s; assignment latency "
                + "p50 %d ms, p99 %d ms (%d assignments); accepted %d, stored %d, lost %d, each task once: %s; duplicates %d, refused %d, "
                + "unanswered %d%s%n", providers, connects, results, seconds, results / seconds, percentile(latencies, 0.5),
                percentile(latencies, 0.99), latencies.size(), confirmed.size(), stored.size(), lost, once, duplicates, refused, unanswered, heap);
        List<CompletableFuture<Void>> closing = sims.stream().map(LoadProvider::disconnect).toList();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("load-test: some simulated providers did not disconnect within 60 s (the coordinator is stopped anyway)");
        }
        return lost == 0 && once && !confirmed.isEmpty();
    }

    /** The coordinator's used heap after a full collection, in MiB (-1 if jcmd cannot tell). */
    private static long heapAfterGc(long pid) {
        try {
            jcmd(pid, "GC.run");
            Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
            long usedKiB = -1;
            while (m.find()) {
                usedKiB = Math.max(usedKiB, 0) + Long.parseLong(m.group(1));
            }
            return usedKiB < 0 ? -1 : usedKiB / 1024;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(COORDINATOR_JAVA, "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                out.append(line).append('\n');
            }
        }
        p.waitFor(30, TimeUnit.SECONDS);
        return out.toString();
    }

    static long percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static String upload(String base, String token, byte[] bytes) throws Exception {
        String id = SimulatedProvider.sha256(bytes);
        HttpResponse<String> put = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + id))
                .header("Authorization", "Bearer " + token).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() / 100 != 2) {
            throw new IllegalStateException("uploading a blob answered " + put.statusCode() + ": " + put.body());
        }
        return id;
    }
}
