package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The products as a user runs them: start scripts, status endpoints, presence, kill -9, SIGTERM,
 * and an external Mosquitto in place of the embedded broker.
 */
class ProductsTest {

    static final Duration START = Duration.ofSeconds(60);
    static final String READY = "status at (http://\\S+)";
    private static final HttpClient HTTP = TestHttp.CLIENT;
    /** A JVM ended by SIGTERM exits with 128 + 15, after its shutdown hooks ran. */
    private static final int SIGTERM_EXIT = 143;

    @BeforeAll
    static void productsExist() {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator"))
                && Files.isExecutable(ProductProcess.desktopHome().resolve("bin/daig-provider")),
                "The linux-x86_64 products are not materialized under " + ProductProcess.PRODUCTS.toAbsolutePath()
                        + ": run ./mvnw verify from the project root on linux-x86_64");
    }

    @Test
    void aProviderShowsUpWithItsMachineAndAKilledProviderGoesOffline(@TempDir Path tmp) throws Exception {
        int[] ports = freePorts(3);
        int brokerPort = ports[0];
        try (ProductProcess coordinator = ProductProcess.coordinator(tmp.resolve("coordinator"))
                .set("org.daig.broker.cfg", "port", brokerPort)
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "tcp://127.0.0.1:" + brokerPort)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1]).start();
             ProductProcess provider = ProductProcess.provider(tmp.resolve("provider")) // started once it has an enrolment code
                .set("org.daig.transport.mqtt-provider.cfg", "brokerUrl", "tcp://127.0.0.1:" + brokerPort)
                .set("org.daig.transport.mqtt-provider.cfg", "keepAliveSeconds", 5)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[2])) {

            var coordinatorConfig = coordinator.configSnapshot();
            String coordinatorStatus = coordinator.awaitLine("DAIG coordinator ready: " + READY, START);
            // thousands of providers connecting at once (a restart, a round's first downloads) wait in these queues; with the
            // JDK's 50 and Moquette's 128 the kernel dropped handshakes, and each of those providers lost a second or more
            // (read by lines: a sysctl file answers a read at any offset but 0 with its end, which Files.readString's second read is)
            int queue = Math.min(4096, Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim()));
            assertEquals(queue, listenQueue(brokerPort), "connections the broker's port holds before they are accepted");
            assertEquals(queue, listenQueue(ports[1]), "connections the HTTP port holds before they are accepted");
            GridAccounts accounts = coordinator.accounts(base(coordinatorStatus));
            // The volunteer's way: the admin's code in the provider's configuration, which enrols it at its start.
            provider.set("org.daig.provider.cfg", "coordinatorUrl", base(coordinatorStatus))
                    .set("org.daig.provider.cfg", ".enrolmentCode", accounts.enrolmentCode(1)).start();
            String providerStatus = provider.awaitLine("DAIG provider ready: " + READY, START);
            String providerId = awaitEnrolled(providerStatus, provider.work);

            JsonObject seen = awaitProvider(coordinatorStatus, accounts.adminToken, providerId, true);
            JsonObject machine = seen.getAsJsonObject("machine");
            assertEquals(Runtime.getRuntime().availableProcessors(), machine.get("logicalCores").getAsInt());
            assertTrue(machine.get("memoryBytes").getAsLong() > 0);
            assertFalse(machine.get("os").getAsString().isBlank());
            assertTrue(machine.has("gpus"));
            assertTrue(seen.get("lastSeen").getAsLong() > 0);

            long killedAt = System.nanoTime();
            provider.kill9();
            awaitProvider(coordinatorStatus, accounts.adminToken, providerId, false);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.println("provider reported offline " + millis + " ms after kill -9 (status polled every 100 ms)");
            assertTrue(millis <= 8000, "offline after " + millis + " ms; the keep-alive window is 1.5 x 5 s");

            assertEquals(SIGTERM_EXIT, coordinator.terminate(Duration.ofSeconds(30)), "exit code after SIGTERM");
            assertTrue(coordinator.printed("Shutting down"), String.join("\n", coordinator.output()));
            assertTrue(coordinator.printed("closed"), "the bus closed cleanly");
            assertTrue(coordinator.printed("Embedded MQTT broker stopped"));
            assertEquals(coordinatorConfig, coordinator.configSnapshot(), "the operator's config files are never rewritten");
            // Moquette logs a client closing its socket during a SUBSCRIBE as an ERROR with netty's
            // StacklessClosedChannelException (seen when a provider connects while the broker starts):
            // that is the client's doing, not a fault of ours, so it does not count here.
            assertFalse(coordinator.output().stream().anyMatch(l -> l.contains("Exception") && !l.contains("StacklessClosedChannelException")),
                    "no stack trace in a normal run:\n" + String.join("\n", coordinator.output()));
        }
    }

    /**
     * The first experience: both products exactly as shipped, on one machine, nothing configured;
     * the admin (with the password the coordinator generated) makes an enrolment code, and the
     * headless provider is enrolled with {@code daig enrol} before its first start.
     */
    @Test
    void withDefaultConfigurationTheProviderFindsTheCoordinator(@TempDir Path tmp) throws Exception {
        assumeTrue(portFree(1883) && portFree(7700) && portFree(7701),
                "ports 1883, 7700 and 7701 are not all free here: the default-configuration test needs them");
        try (ProductProcess coordinator = ProductProcess.coordinator(tmp.resolve("coordinator")).start();
             ProductProcess provider = ProductProcess.provider(tmp.resolve("provider"))) {
            String coordinatorStatus = coordinator.awaitLine("DAIG coordinator ready: " + READY, START);
            assertEquals("http://127.0.0.1:7700/api/status", coordinatorStatus);
            GridAccounts accounts = coordinator.accounts("http://127.0.0.1:7700");
            String enrolled = ProductProcess.daig(tmp, "enrol", "--coordinator", "http://127.0.0.1:7700", "--code", accounts.enrolmentCode(1),
                    "--data", provider.work.resolve("data").toString());
            assertTrue(enrolled.contains("for account " + GridAccounts.VOLUNTEER), enrolled);
            provider.start();
            String providerStatus = provider.awaitLine("DAIG provider ready: " + READY, START);
            ProductProcess.await("the provider to see the coordinator", START, () -> {
                JsonElement found = json(providerStatus).get("coordinator");
                // the coordinator's presence may arrive before its announcement (statusUrl still null)
                JsonElement url = found != null && found.isJsonObject() ? found.getAsJsonObject().get("statusUrl") : null;
                return url != null && !url.isJsonNull() && coordinatorStatus.equals(url.getAsString());
            });
            assertEquals(awaitEnrolled(providerStatus, provider.work), json(providerStatus).get("providerId").getAsString());
            awaitProvider(coordinatorStatus, accounts.adminToken, json(providerStatus).get("providerId").getAsString(), true);
            assertEquals(SIGTERM_EXIT, provider.terminate(Duration.ofSeconds(30)));
            assertTrue(provider.printed("Shutting down"));
            assertEquals(SIGTERM_EXIT, coordinator.terminate(Duration.ofSeconds(30)));
        }
    }

    /**
     * Debian's Mosquitto with the files {@code daig admin broker-config} writes (no anonymous
     * clients, a password per device and for the coordinator, the ACL) in place of the embedded broker.
     */
    @Test
    void anExternalMosquittoReplacesTheEmbeddedBroker(@TempDir Path tmp) throws Exception {
        assumeTrue(Mosquitto.installed(), "Debian's mosquitto is not installed (apt-get install mosquitto): skipping the external-broker test");
        int[] ports = freePorts(4);
        int embeddedPort = ports[1];
        try (Mosquitto mosquitto = new Mosquitto(tmp.resolve("mosquitto"), ports[0]);
             ProductProcess coordinator = ProductProcess.coordinator(tmp.resolve("coordinator"))
                .set("org.daig.broker.cfg", "port", embeddedPort)
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", mosquitto.url)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[2]).start();
             ProductProcess provider = ProductProcess.provider(tmp.resolve("provider"))
                .set("org.daig.transport.mqtt-provider.cfg", "brokerUrl", mosquitto.url)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[3])) {
            String url = mosquitto.url;
            String coordinatorStatus = coordinator.awaitLine("DAIG coordinator ready: " + READY, START);
            String base = base(coordinatorStatus);
            GridAccounts accounts = coordinator.accounts(base);
            // The admin enrols the provider and writes Mosquitto's files, all with the command line.
            String code = accounts.enrolmentCode(1);
            ProductProcess.daig(tmp, "enrol", "--coordinator", base, "--code", code, "--data", provider.work.resolve("data").toString());
            ProductProcess.login(tmp, base, "admin", coordinator.adminPassword());
            String written = ProductProcess.daig(tmp, "admin", "broker-config", "--out", mosquitto.dir.toString());
            assertTrue(written.contains("allow_anonymous false"), written);
            mosquitto.start();
            assertTrue(mosquitto.refusesAnonymousClients(), "anonymous clients are refused by this Mosquitto too");
            provider.start();
            String providerStatus = provider.awaitLine("DAIG provider ready: " + READY, START);
            awaitProvider(coordinatorStatus, accounts.adminToken, json(providerStatus).get("providerId").getAsString(), true);
            assertEquals(url, json(coordinatorStatus, accounts.adminToken).getAsJsonObject("bus").get("broker").getAsString());
            assertFalse(coordinator.printed("Embedded MQTT broker listening"), "the embedded broker stays off");
            assertTrue(portFree(embeddedPort), "nothing listens on the embedded broker's port");
        }
    }

    /**
     * The coordinator's start script picks the parallel collector, and an operator's own collector in
     * JAVA_OPTS replaces it rather than clashing with it (a JVM given two collectors does not start).
     * {@code -version} at the end of JAVA_OPTS makes the JVM print its flags and stop before Equinox.
     */
    @Test
    void theCoordinatorRunsOnTheParallelCollectorUnlessTheOperatorNamesAnother(@TempDir Path tmp) throws Exception {
        String shipped = launcherFlags(tmp, "-XX:+PrintFlagsFinal -version");
        assertTrue(flag(shipped, "UseParallelGC", "true") && flag(shipped, "UseG1GC", "false"), shipped);
        String chosen = launcherFlags(tmp, "-XX:+UseG1GC -XX:+PrintFlagsFinal -version");
        assertTrue(flag(chosen, "UseG1GC", "true") && flag(chosen, "UseParallelGC", "false"), chosen);
    }

    private static String launcherFlags(Path tmp, String javaOpts) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator").toString())
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", javaOpts);
        builder.environment().put("DAIG_DATA_DIR", tmp.resolve("data").toString());
        builder.environment().put("DAIG_LOG_DIR", tmp.resolve("logs").toString());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the JVM did not stop after -version");
        assertEquals(0, p.exitValue(), "JAVA_OPTS=" + javaOpts + ":\n" + out);
        return out;
    }

    /** Whether -XX:+PrintFlagsFinal's output gives the flag that value. */
    private static boolean flag(String flags, String name, String value) {
        return flags.lines().anyMatch(l -> l.matches("\\s*bool\\s+" + name + "\\s+:?=\\s+" + value + "\\b.*"));
    }

    /** Both products carry the trainer runtime (linux-x86_64 so far) and its command line. */
    @Test
    void theProductsRunTheTrainerCommandLine(@TempDir Path tmp) throws Exception {
        Path model = Path.of(System.getProperty("daig.root", "../..")).resolve("../shared/data/keras/simple_mlp.h5");
        assumeTrue(Files.isRegularFile(model), "../shared/data is absent (" + model.toAbsolutePath() + "): skipping");
        for (Path home : new Path[] { ProductProcess.coordinatorHome(), ProductProcess.desktopHome() }) {
            assertTrue(Files.isDirectory(home.resolve("worker/lib")), home + " has no trainer runtime");
            ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/daig").toString(), "model", "inspect", model.toString())
                    .redirectErrorStream(true);
            builder.environment().put("DAIG_DATA_DIR", tmp.resolve(home.getFileName()).toString());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("parameters: 7,114") && out.contains("trainable:  yes"), out);
        }
    }

    /**
     * Waits until the provider whose status page is {@code providerStatus} is enrolled (for the
     * volunteer account, its device token kept readable by this user only); returns its id.
     */
    static String awaitEnrolled(String providerStatus, Path providerWork) throws Exception {
        JsonObject[] enrolment = new JsonObject[1];
        try {
            ProductProcess.await("the provider at " + providerStatus + " enrolled", START, () -> {
                enrolment[0] = json(providerStatus).getAsJsonObject("enrolment");
                return enrolment[0].get("enrolled").getAsBoolean();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; its enrolment: " + enrolment[0], e);
        }
        assertEquals(GridAccounts.VOLUNTEER, enrolment[0].get("account").getAsString(), enrolment[0].toString());
        Path token = providerWork.resolve("data/provider/device-token");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        String id = json(providerStatus).get("providerId").getAsString();
        assertEquals(id, enrolment[0].get("device").getAsString(), "the device token is bound to the provider's client id");
        return id;
    }

    /** The coordinator's own status page lists providers: an admin's page (docs/security.md). */
    private static JsonObject awaitProvider(String statusUrl, String adminToken, String providerId, boolean online) {
        JsonObject[] found = new JsonObject[1];
        ProductProcess.await("provider " + providerId + (online ? " online" : " offline") + " at " + statusUrl,
                Duration.ofSeconds(online ? 60 : 30), () -> {
                    Optional<JsonObject> p = json(statusUrl, adminToken).getAsJsonArray("providers").asList().stream()
                            .map(JsonElement::getAsJsonObject)
                            .filter(o -> o.get("id").getAsString().equals(providerId)).findFirst();
                    boolean ok = p.isPresent() && p.get().get("online").getAsBoolean() == online
                            && (!online || p.get().has("machine"));
                    found[0] = p.orElse(null);
                    return ok;
                });
        return found[0];
    }

    /** The JSON object at {@code url}, asked without a token (a provider's local status page). */
    static JsonObject json(String url) throws IOException, InterruptedException {
        return json(url, null);
    }

    /** The JSON object at {@code url}, asked with {@code token} (none when null); an IOException when it is not a 200. */
    static JsonObject json(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode());
        }
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    /** The coordinator's address (http://host:port) from its status page's URL. */
    static String base(String statusUrl) {
        return URI.create(statusUrl).resolve("/").toString().replaceFirst("/$", "");
    }

    /** The queue the kernel keeps for a listening TCP port: the Send-Q that {@code ss -ltn} shows for it (iproute2). */
    static int listenQueue(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-ltnH", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ss.waitFor(), "ss -ltn: " + out);
        return out.lines().map(l -> l.trim().split("\\s+")).filter(f -> f.length >= 3 && f[0].equals("LISTEN"))
                .mapToInt(f -> Integer.parseInt(f[2])).findFirst().orElseThrow(() -> new AssertionError("nothing listens on " + port + ": " + out));
    }

    /** Distinct free ports: all are held open until each is chosen, so none is handed out twice. */
    static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private static boolean portFree(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
