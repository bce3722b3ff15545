package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

/**
 * Issue 12's "done when": a coordinator started from the shipped configuration refuses anonymous
 * HTTP on {@code /api/v1/projects} with 401 and an anonymous MQTT connect, and neither attempt
 * changes anything. Only its three ports are moved (so the test runs beside anything on 1883 and
 * 7700); every other line of the shipped configuration is left as it is, which the test checks.
 */
class ProductAuthTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The settings the test moves: the ports, nothing that has to do with authentication. */
    private static final Map<String, String> PORT_SETTINGS = Map.of("org.daig.broker.cfg", "port",
            "org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "org.apache.felix.http.cfg", "org.osgi.service.http.port");

    @BeforeAll
    static void productExists() {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 coordinator product is not materialized: run ./mvnw verify on linux-x86_64");
    }

    @Test
    void theShippedCoordinatorRefusesAnonymousHttpAndMqttAndNothingChanges(@TempDir Path tmp) throws Exception {
        int[] ports = ProductsTest.freePorts(2);
        String base = "http://127.0.0.1:" + ports[1];
        String broker = "tcp://127.0.0.1:" + ports[0];
        try (ProductProcess coordinator = ProductProcess.coordinator(tmp.resolve("coordinator"))
                .set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", broker)
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1]).start()) {
            assertShippedConfigurationBarThePorts(coordinator.work.resolve("config"));
            coordinator.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
            // healthy (its bus connected with the service token): the refusals below are the coordinator's own
            ProductProcess.await("the coordinator healthy", ProductsTest.START, () -> get(base + "/health", null).statusCode() == 200);

            // HTTP: no token, or a made-up one
            HttpResponse<String> anonymous = get(base + "/api/v1/projects", null);
            assertEquals(401, anonymous.statusCode(), anonymous.body());
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), anonymous.headers().toString());
            assertFalse(anonymous.body().contains("\"id\""), anonymous.body());
            assertEquals(401, get(base + "/api/v1/projects", "daig_forged_" + "x".repeat(43)).statusCode(), "a made-up token");
            assertEquals(401, get(base + "/api/status", null).statusCode(), "the status page (providers, bus) is not public as shipped");
            byte[] data = "anonymous data".getBytes(StandardCharsets.UTF_8);
            String blob = SimulatedProvider.sha256(data);
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + blob))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, put.statusCode(), "an anonymous upload: " + put.body());
            HttpResponse<String> submit = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"anonymous\",\"model\":\""
                            + blob + "\",\"x\":\"" + blob + "\",\"y\":\"" + blob + "\",\"epochs\":1,\"batchSize\":8,\"totalTasks\":2,"
                            + "\"taskSize\":1}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, submit.statusCode(), "an anonymous submission: " + submit.body());

            // MQTT: no user name and password at all; a provider's name with a made-up token; the coordinator's own name
            assertRefusedAsUnauthenticated(assertThrows(MqttException.class, () -> connect(broker, "anonymous-intruder", null, null),
                    "an anonymous MQTT client got in"));
            assertRefusedAsUnauthenticated(assertThrows(MqttException.class,
                    () -> connect(broker, "intruder", "intruder", "daig_forged_" + "y".repeat(43)), "a made-up token got in"));
            String coordinatorId = Files.readString(coordinator.work.resolve("data/coordinator.client-id")).strip();
            assertRefusedAsUnauthenticated(assertThrows(MqttException.class, () -> connect(broker, coordinatorId, coordinatorId, "guess"),
                    "someone got in under the coordinator's client id"));

            // The bin/daig command line without a login: exit 3 and what to do
            ProductProcess.Run list = ProductProcess.run(ProductProcess.coordinatorHome(), tmp, "list", "--coordinator", base);
            assertEquals(3, list.exit(), list.output());
            assertTrue(list.output().contains("not logged in to " + base), list.output());

            // Nothing changed: the admin (with the password generated at the first start) finds no project, no blob, no provider
            Path passwordFile = coordinator.adminPasswordFile();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)));
            String password = coordinator.adminPassword();
            assertTrue(coordinator.printed("created the account 'admin' with the password " + password), "shown once on the console");
            assertNoLogFileContains(coordinator.work.resolve("logs"), password);
            GridAccounts accounts = coordinator.accounts(base);
            HttpResponse<String> projects = get(base + "/api/v1/projects", accounts.adminToken);
            assertEquals(200, projects.statusCode(), projects.body());
            assertEquals(0, JsonParser.parseString(projects.body()).getAsJsonArray().size(), "no project: " + projects.body());
            assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + blob)).header("Authorization",
                    "Bearer " + accounts.adminToken).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "no blob");
            Path blobs = coordinator.work.resolve("data/blobs");
            if (Files.isDirectory(blobs)) {
                try (Stream<Path> files = Files.walk(blobs)) {
                    assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "nothing stored, not even a partial upload");
                }
            }
            List<String> providers = ProductsTest.json(base + "/api/status", accounts.adminToken).getAsJsonArray("providers").asList()
                    .stream().map(JsonElement::getAsJsonObject).map(p -> p.get("id").getAsString()).toList();
            assertEquals(List.of(), providers, "no provider was seen: the refused clients published nothing");
            ProductProcess.await("the coordinator's own bus connected with its service token", ProductsTest.START,
                    () -> ProductsTest.json(base + "/api/status", accounts.adminToken).getAsJsonObject("bus").get("connected").getAsBoolean());
        }
    }

    /** The copied configuration is the shipped one, but for the three port settings. */
    private static void assertShippedConfigurationBarThePorts(Path config) throws Exception {
        Path shipped = ProductProcess.coordinatorHome().resolve("config");
        try (Stream<Path> files = Files.list(shipped)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                List<String> expected = Files.readAllLines(file);
                List<String> actual = Files.readAllLines(config.resolve(name));
                String moved = PORT_SETTINGS.get(name);
                if (moved != null) {
                    expected = expected.stream().filter(l -> !l.matches("#?\\s*" + java.util.regex.Pattern.quote(moved) + "\\s*=.*")).toList();
                    actual = actual.stream().filter(l -> !l.startsWith(moved + "=")).toList();
                }
                assertEquals(expected, actual, name + " differs from the shipped configuration");
            }
        }
        assertTrue(Files.readString(config.resolve("org.daig.broker.cfg")).contains("#allowAnonymous=false"),
                "the shipped broker setting leaves authentication on");
    }

    private static void assertRefusedAsUnauthenticated(MqttException e) {
        System.out.println("MQTT connect refused: reason code " + e.getReasonCode() + " (" + e.getMessage() + ")");
        assertTrue(e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED
                || e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION,
                "refused by the broker's authentication, not by a network error: " + e.getReasonCode() + " " + e);
    }

    private static void assertNoLogFileContains(Path logs, String secret) throws Exception {
        if (!Files.isDirectory(logs)) {
            return;
        }
        try (Stream<Path> files = Files.walk(logs)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(file, StandardCharsets.ISO_8859_1).contains(secret), "the admin's password is in " + file);
            }
        }
    }

    /** Connects with Paho as a provider would (no credentials when {@code user} is null); the broker must refuse. */
    private static void connect(String broker, String clientId, String user, String password) throws MqttException {
        MqttClient client = new MqttClient(broker, clientId, new MemoryPersistence());
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setConnectionTimeout(10);
            options.setCleanSession(true);
            if (user != null) {
                options.setUserName(user);
                options.setPassword(password.toCharArray());
            }
            client.connect(options);
            client.disconnect();
        } finally {
            client.close();
        }
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
