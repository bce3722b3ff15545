package org.daig.product.tests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A coordinator product's real accounts, used over its HTTP API as docs/security.md ("Account
 * endpoints") describes it: the admin logs in with the password the coordinator was started with
 * (or generated at its first start), creates the test's accounts and enrolment codes; devices
 * enrol with a code and get a device token bound to their MQTT client id.
 */
final class GridAccounts {

    /** The account the tests submit projects with. */
    static final String REQUESTOR = "requestor";
    /** The account the tests' providers (real and simulated) belong to. */
    static final String VOLUNTEER = "volunteer";

    private static final Gson GSON = new Gson();
    private static final HttpClient HTTP = TestHttp.CLIENT;

    final String base;
    final String adminToken;

    private GridAccounts(String base, String adminToken) {
        this.base = base;
        this.adminToken = adminToken;
    }

    /** Logs in as {@code admin} at {@code base} (http://host:port). */
    static GridAccounts admin(String base, String adminPassword) throws IOException, InterruptedException {
        return new GridAccounts(base, login(base, "admin", adminPassword));
    }

    /** A password for a test account, long enough for the rules (12+) and the same on every run. */
    static String passwordOf(String user) {
        return "product-tests-" + user + "-password";
    }

    /** Creates {@code user} with {@code roles} and the password {@link #passwordOf}; returns the password. */
    String createUser(String user, String... roles) throws IOException, InterruptedException {
        String password = passwordOf(user);
        HttpResponse<String> r = send("POST", "/api/v1/admin/users", adminToken, Map.of("user", user, "password", password,
                "roles", List.of(roles)));
        expect(201, r, "creating the account " + user);
        return password;
    }

    /** Creates a requestor account and logs it in; returns its API token. */
    String requestor() throws IOException, InterruptedException {
        return login(base, REQUESTOR, createUser(REQUESTOR, "requestor"));
    }

    /** {@code secret} in {@code dir/name}, a file only this user can read (for {@code daig login --password-file}). */
    static Path secretFile(Path dir, String name, String secret) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, secret + "\n");
    }

    /** Creates the volunteer account (once) and an enrolment code for {@code uses} of its devices. */
    String enrolmentCode(int uses) throws IOException, InterruptedException {
        return enrolmentCode(VOLUNTEER, uses);
    }

    /** Creates the volunteer account {@code user} (once) and an enrolment code for {@code uses} of its devices. */
    String enrolmentCode(String user, int uses) throws IOException, InterruptedException {
        HttpResponse<String> users = send("GET", "/api/v1/admin/users", adminToken, null);
        expect(200, users, "listing the accounts");
        if (JsonParser.parseString(users.body()).getAsJsonArray().asList().stream()
                .noneMatch(u -> u.getAsJsonObject().get("user").getAsString().equals(user))) {
            createUser(user, "volunteer");
        }
        HttpResponse<String> r = send("POST", "/api/v1/admin/enrolment-codes", adminToken, Map.of("user", user, "uses", uses,
                "validHours", 2));
        expect(201, r, "making an enrolment code");
        return JsonParser.parseString(r.body()).getAsJsonObject().get("code").getAsString();
    }

    /** Enrols the device {@code deviceId} with an enrolment code, as a provider does (no token); returns its device token. */
    static String enrol(String base, String deviceId, String code) throws IOException, InterruptedException {
        HttpResponse<String> r = send(base, "POST", "/api/v1/devices", null, Map.of("deviceId", deviceId, "name", deviceId, "code", code));
        expect(201, r, "enrolling " + deviceId);
        JsonObject device = JsonParser.parseString(r.body()).getAsJsonObject();
        if (!deviceId.equals(device.get("device").getAsString())) {
            throw new AssertionError("enrolled as " + device.get("device") + ", not " + deviceId);
        }
        return device.get("token").getAsString();
    }

    /** Mosquitto's password and ACL files for the grid as it is now ({@code daig admin broker-config} over HTTP). */
    JsonObject brokerConfig() throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", "/api/v1/admin/broker-config", adminToken, null);
        expect(200, r, "the broker files");
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    static String login(String base, String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> r = send(base, "POST", "/api/v1/login", null, Map.of("user", user, "password", password));
        expect(200, r, "logging in as " + user);
        return JsonParser.parseString(r.body()).getAsJsonObject().get("token").getAsString();
    }

    private HttpResponse<String> send(String method, String path, String token, Object body) throws IOException, InterruptedException {
        return send(base, method, path, token, body);
    }

    private static HttpResponse<String> send(String base, String method, String path, String token, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(GSON.toJson(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Fails (never "not yet": the coordinator answered) when the status is not the expected one. */
    private static void expect(int status, HttpResponse<String> r, String what) {
        if (r.statusCode() != status) {
            throw new AssertionError(what + ": " + r.request().method() + " " + r.uri() + " answered " + r.statusCode() + " " + r.body());
        }
    }
}
