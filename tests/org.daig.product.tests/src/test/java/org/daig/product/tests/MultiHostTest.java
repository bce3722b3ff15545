package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

/**
 * The grid on separate hosts: the coordinator product, PostgreSQL, an S3 server (S3Proxy) and
 * Mosquitto each in a network namespace of its own, joined by a bridge; three providers, each on
 * a host of its own behind a link of {@value #MBIT} Mbit/s both ways (tc tbf) and {@value #DELAY} ms
 * more each way ({@link DelayRelay}: this kernel has no netem). A project runs to the end, and the
 * test checks that the traffic crossed the hosts (the state in PostgreSQL, every update in the
 * bucket's folder and none on the coordinator's disk, the providers' bytes through their links) and
 * that the delay and the limit were felt. It writes what it measured (per-task bytes on each
 * host's link, transfer times, aggregation time) to target/multihost.txt; docs/scaling.md builds on
 * those figures. Needs root, iproute2, PostgreSQL and Mosquitto; skips without them.
 */
class MultiHostTest {

    static final int MBIT = 20;
    static final int DELAY = 25;
    private static final int PROVIDERS = 3;
    private static final int TASKS = 12; // 6 shards x 2 passes
    private static final int WORK_MILLIS = 300;
    private static final Duration RUN = Duration.ofSeconds(150);
    private static final String COORD = NetNamespaces.SUBNET + "2";
    private static final String DB = NetNamespaces.SUBNET + "3";
    private static final String S3 = NetNamespaces.SUBNET + "4";
    private static final String BROKER = NetNamespaces.SUBNET + "5";
    private static final List<String> HOSTS = List.of("coord", "db", "s3", "broker", "p1", "p2", "p3");

    @Test
    void aProjectCompletesWithEachServerOnItsOwnHostAndProvidersBehindSlowFarLinks(@TempDir Path tmp) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the multi-host test makes network namespaces: it needs root");
        assumeTrue(NetNamespaces.toolsInstalled(), "ip and tc are not installed (apt-get install iproute2): skipping the multi-host test");
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 coordinator product is not materialized: run ./mvnw verify on linux-x86_64");
        Path pgBin = Postgres.installed();
        assumeTrue(pgBin != null, "Debian's PostgreSQL is not installed (apt-get install postgresql): skipping the multi-host test");
        assumeTrue(Mosquitto.installed(), "Debian's mosquitto is not installed (apt-get install mosquitto): skipping the multi-host test");
        NetNamespaces net;
        try {
            net = NetNamespaces.create();
        } catch (IOException e) {
            assumeTrue(false, "this machine refuses network namespaces (" + e.getMessage() + "): skipping the multi-host test");
            return;
        }
        List<AutoCloseable> open = new ArrayList<>();
        try {
            for (int i = 0; i < HOSTS.size(); i++) {
                net.host(HOSTS.get(i), i < 4 ? i + 2 : i + 7);
            }
            for (int i = 1; i <= PROVIDERS; i++) {
                net.limit("p" + i, MBIT);
            }
            run(tmp, pgBin, open);
        } finally {
            Collections.reverse(open);
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
            net.close();
        }
    }

    private static void run(Path tmp, Path pgBin, List<AutoCloseable> open) throws Exception {
        Postgres postgres = Postgres.start(pgBin, DB, 5432, NetNamespaces.in("db"));
        open.add(postgres);
        S3Server s3 = S3Server.start(tmp, S3, 9000, NetNamespaces.in("s3"));
        open.add(s3);

        Path work = tmp.resolve("coordinator");
        ProductProcess coordinator = ProductProcess.coordinator(work).launcher(NetNamespaces.in("coord"))
                .set("org.apache.felix.http.cfg", "org.apache.felix.http.host", COORD)
                .set("org.daig.tls.cfg", "hostNames", COORD) // TLS is on by itself: the listener is beyond loopback
                .set("org.daig.broker.cfg", "mode", "off")
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "tcp://" + BROKER + ":1883")
                .set("org.daig.coordinator.projects.cfg", "jdbcUrl", postgres.jdbcUrl())
                .set("org.daig.coordinator.projects.cfg", "dataSourceFactory.target", "(osgi.jdbc.driver.class=org.postgresql.Driver)")
                .set("org.daig.coordinator.projects.cfg", "publicUrl", "https://127.0.0.1:" + MultiHostProvider.HTTP_PORT) // each relay
                .set("org.daig.coordinator.projects.cfg", "spotCheckRate", 0).set("org.daig.coordinator.projects.cfg", "spotCheckNewDevices", 0);
        s3.configure(coordinator);
        open.add(coordinator.start());
        coordinator.awaitLine("DAIG coordinator ready: status at (https://\\S+)", Duration.ofSeconds(90));
        coordinator.awaitLine("Blob store on S3: bucket daig-blobs at http://" + S3, Duration.ofSeconds(30));
        Path ca = work.resolve("data/tls/ca.pem");
        TestHttp.trust(ca);
        String base = "https://" + COORD + ":7700";

        GridAccounts accounts = coordinator.accounts(base);
        String requestor = accounts.requestor();
        Path inputs = tmp.resolve("inputs");
        Files.createDirectories(inputs);
        Path model = inputs.resolve("model.h5");
        // about a million parameters (8-1000-1000-3): a 4 MB update, 1.6 s on a 20 Mbit/s link
        ProductProcess.daig(inputs, "model", "make-mlp", "--out", model.toString(), "--inputs", "8", "--outputs", "3", "--hidden",
                "1000,1000", "--seed", "3");
        String modelId = ProjectRunTest.upload(base, requestor, model);
        Path[] xy = ProjectRunTest.data(inputs);
        String[] data = { ProjectRunTest.upload(base, requestor, xy[0]), ProjectRunTest.upload(base, requestor, xy[1]) };
        String code = accounts.enrolmentCode(PROVIDERS);
        List<Path> tokens = new ArrayList<>();
        for (int i = 1; i <= PROVIDERS; i++) {
            tokens.add(GridAccounts.secretFile(tmp.resolve("tokens"), "p" + i, GridAccounts.enrol(base, "far-" + i, code)));
        }
        Path requestorToken = GridAccounts.secretFile(tmp.resolve("tokens"), "requestor", requestor);
        Mosquitto mosquitto = new Mosquitto(tmp.resolve("broker"), BROKER, 1883, NetNamespaces.in("broker"));
        open.add(mosquitto);
        mosquitto.files(accounts).start();

        int paramBytes = 4 * (8 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 3 + 3) + 128; // a float32 .npy of the parameters
        List<HostProcess> providers = new ArrayList<>();
        for (int i = 1; i <= PROVIDERS; i++) {
            List<String> args = new ArrayList<>(List.of("far-" + i, tokens.get(i - 1).toString(), COORD + ":7700", BROKER + ":1883",
                    Integer.toString(DELAY), Integer.toString(WORK_MILLIS), ca.toString()));
            if (i == 1) {
                args.addAll(List.of(requestorToken.toString(), modelId, Integer.toString(paramBytes)));
            }
            args.add(0, MultiHostProvider.class.getName());
            args.add(0, "-Xmx256m");
            args.add(0, "-Dlogback.configurationFile=" + s3.logback); // warnings only
            List<String> command = NetNamespaces.in("p" + i, HostProcess.java(args.toArray(String[]::new)).toArray(String[]::new));
            HostProcess p = new HostProcess("provider p" + i, command);
            open.add(p);
            providers.add(p);
        }
        for (HostProcess p : providers) {
            p.await("READY", Duration.ofSeconds(60));
        }
        String[] probe = providers.get(0).await("PROBE ", Duration.ofSeconds(1)).split(" ");

        Map<String, long[]> before = counters();
        HttpResponse<String> created = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + requestor)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"far away\",\"model\":\"" + modelId + "\",\"x\":\"" + data[0]
                        + "\",\"y\":\"" + data[1] + "\",\"epochs\":1,\"batchSize\":8,\"totalTasks\":6,\"taskSize\":3,\"maxContributors\":3,"
                        + "\"validationRate\":0.1,\"passes\":2,\"seed\":7,\"strategy\":\"kbatch-sync\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
        long start = System.nanoTime();
        providers.forEach(p -> p.send("GO"));
        try {
            ProductProcess.await("the project to complete", RUN,
                    () -> ProductsTest.json(base + "/api/v1/projects/" + id, requestor).get("state").getAsString().equals("COMPLETED"));
        } catch (AssertionError e) {
            threads("coordinator", coordinator.pid());
            threads("s3proxy", s3.process.process.pid());
            threads("p1", providers.get(0).process.pid());
            List<String> said = coordinator.output();
            StringBuilder report = new StringBuilder(e.getMessage()).append("\nthe coordinator's last lines:\n")
                    .append(String.join("\n", said.subList(Math.max(0, said.size() - 80), said.size())));
            providers.forEach(p -> report.append("\n").append(p).append(":\n").append(String.join("\n", p.lines())));
            throw new AssertionError(report.toString(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, long[]> after = counters();
        String metrics = SimulatedProvider.getString(base + "/metrics", accounts.adminToken);
        providers.forEach(p -> p.send("STOP"));
        List<Map<String, String>> stats = new ArrayList<>();
        for (HostProcess p : providers) {
            stats.add(fields(p.await("STATS ", Duration.ofSeconds(30))));
        }

        assertEquals(4, ProductsTest.json(base + "/api/v1/projects/" + id, requestor).get("version").getAsInt(), "6 shards, K=3, 2 passes");
        assertEquals("COMPLETED", postgres.query("SELECT state FROM projects"), "the state is in PostgreSQL on its own host");
        assertEquals("5", postgres.query("SELECT count(*) FROM versions"), "versions 0 to 4, in PostgreSQL");
        List<String> deltas = new ArrayList<>();
        for (JsonElement r : JsonParser.parseString(SimulatedProvider.getString(base + "/api/v1/projects/" + id + "/results", requestor))
                .getAsJsonArray()) {
            deltas.add(r.getAsJsonObject().get("deltaBlob").getAsString());
        }
        assertEquals(TASKS, deltas.size());
        List<String> inBucket = files(s3.bucket);
        List<String> onCoordinatorDisk = files(work.resolve("data/blobs"));
        for (String delta : deltas) {
            assertTrue(inBucket.contains(delta), "update " + delta + " is in the S3 server's folder");
            assertTrue(!onCoordinatorDisk.contains(delta), "update " + delta + " is not in a file store of the coordinator");
        }
        assertTrue(inBucket.contains(modelId), "the requestor's model is in the bucket");
        assertTrue(mosquitto.refusesAnonymousClients(), "the broker on its own host refuses a client without a token");

        long s3In = after.get("s3")[0] - before.get("s3")[0];
        assertTrue(s3In >= (long) TASKS * paramBytes, "every update crossed to the S3 host: " + s3In + " bytes");
        int accepted = 0;
        for (int i = 0; i < PROVIDERS; i++) {
            Map<String, String> s = stats.get(i);
            int done = Integer.parseInt(s.get("accepted")) + Integer.parseInt(s.get("duplicates"));
            accepted += done;
            String name = "p" + (i + 1);
            long linkIn = after.get(name)[0] - before.get(name)[0];
            long linkOut = after.get(name)[1] - before.get(name)[1];
            assertTrue(linkIn >= (long) done * paramBytes && linkOut >= (long) done * paramBytes,
                    name + "'s parameters and updates of " + done + " tasks crossed its link: " + linkIn + " bytes in, " + linkOut + " out");
            assertTrue(Double.parseDouble(s.get("mqttFirstAnswerMinMs")) >= 2 * DELAY,
                    name + ": a broker answer takes at least the added round trip of " + 2 * DELAY + " ms: " + s);
            assertTrue(Long.parseLong(s.get("mqttConnections")) >= 1 && Long.parseLong(s.get("httpConnections")) >= 1,
                    name + " reached the broker and the coordinator only through its relay: " + s);
        }
        assertEquals(TASKS, accepted, "every task was answered ACCEPTED or DUPLICATE once to the providers: " + stats);
        double downMbit = Long.parseLong(probe[2]) * 8 / (Long.parseLong(probe[4]) / 1000.0) / 1e6;
        double upMbit = Long.parseLong(probe[6]) * 8 / (Long.parseLong(probe[7]) / 1000.0) / 1e6;
        assertTrue(downMbit <= MBIT * 1.05 && upMbit <= MBIT * 1.05, "the link's limit holds: " + downMbit + " down, " + upMbit + " up");

        report(tmp, seconds, probe, downMbit, upMbit, stats, before, after, metrics, paramBytes);
    }

    /** What the test measured, on standard output and in target/multihost.txt. */
    private static void report(Path tmp, double seconds, String[] probe, double downMbit, double upMbit, List<Map<String, String>> stats,
            Map<String, long[]> before, Map<String, long[]> after, String metrics, int paramBytes) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "multihost: %d tasks (4 rounds of 3) in %.1f s; providers behind %d Mbit/s, +%d ms each way; "
                + "work %d ms per task; parameters and updates of %d bytes", TASKS, seconds, MBIT, DELAY, WORK_MILLIS, paramBytes));
        lines.add(String.format(Locale.ROOT, "transfer: download %s bytes in %s ms on a new connection, %s ms (%.1f Mbit/s) on an open one; "
                + "upload %s bytes in %s ms (%.1f Mbit/s)", probe[2], probe[3], probe[4], downMbit, probe[6], probe[7], upMbit));
        for (int i = 0; i < stats.size(); i++) {
            lines.add("provider p" + (i + 1) + ": " + stats.get(i));
        }
        double aggregation = metric(metrics, "daig_aggregation_seconds_total");
        double rounds = metric(metrics, "daig_rounds_total");
        lines.add(String.format(Locale.ROOT, "aggregation: %.3f s in %.0f rounds (%.1f ms per round, %.1f ms per result)", aggregation, rounds,
                1000 * aggregation / rounds, 1000 * aggregation / TASKS));
        for (String host : HOSTS) {
            long rx = after.get(host)[0] - before.get(host)[0];
            long tx = after.get(host)[1] - before.get(host)[1];
            // a server's link per task of the project; a provider's per task of its own
            int tasks = host.startsWith("p") ? Integer.parseInt(stats.get(host.charAt(1) - '1').get("accepted")) : TASKS;
            lines.add(String.format(Locale.ROOT, "link %-6s per task: in %,d bytes (%.2f updates), out %,d bytes (%.2f updates)", host,
                    rx / tasks, (double) rx / tasks / paramBytes, tx / tasks, (double) tx / tasks / paramBytes));
        }
        lines.forEach(System.out::println);
        Files.write(Path.of("target", "multihost.txt"), lines);
    }

    /** The threads of a process, into target/multihost-{@code name}.threads (for a run that hung). */
    private static void threads(String name, long pid) {
        try {
            Path out = Path.of("target", "multihost-" + name + ".threads");
            Files.writeString(out, NetNamespaces.run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "Thread.print")));
        } catch (IOException | InterruptedException e) {
            System.err.println("no thread dump of " + name + ": " + e);
        }
    }

    private static double metric(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static Map<String, long[]> counters() throws IOException, InterruptedException {
        Map<String, long[]> counters = new HashMap<>();
        for (String host : HOSTS) {
            counters.put(host, NetNamespaces.bytes(host));
        }
        return counters;
    }

    private static Map<String, String> fields(String statsLine) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String field : statsLine.substring("STATS ".length()).split(" ")) {
            fields.put(field.substring(0, field.indexOf('=')), field.substring(field.indexOf('=') + 1));
        }
        return fields;
    }

    /** The names of the regular files under {@code dir} (none if it does not exist). */
    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).toList();
        }
    }
}
