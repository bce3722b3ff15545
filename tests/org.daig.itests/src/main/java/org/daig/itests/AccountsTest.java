package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The coordinator's HTTP gate and account endpoints (docs/security.md) over real HTTP, with the
 * accounts bundle's own H2 and the admin its first start created: every refusal, and that the
 * refused request changed nothing.
 */
class AccountsTest {

    private static final String PID = "org.daig.accounts";
    private static final String ACCOUNTS = "org.daig.api.account.Accounts";
    private static final String PASSWORD = "a long enough password";
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Gson GSON = new Gson();

    private final Grid grid = new Grid();
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;
    private String admin;

    @BeforeEach
    void up() {
        base = grid.httpBase();
        admin = grid.adminToken();
        Grid.await("the coordinator's project API served", () -> send("GET", "/api/v1/projects", admin, null).statusCode() == 200);
    }

    /** Every setting back to its default (the rate limiter starts afresh when its window changes back). */
    @AfterEach
    void down() throws Exception {
        configure(Map.of());
        grid.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    private HttpResponse<String> send(String method, String path, String token, Object body) {
        HttpRequest.BodyPublisher content = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : GSON.toJson(body));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method, content);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonElement json(HttpResponse<String> response) {
        return JsonParser.parseString(response.body());
    }

    /** Applies settings of org.daig.accounts and waits until the accounts service carries them. */
    private void configure(Map<String, Object> settings) throws Exception {
        grid.configAdmin().getConfiguration(PID, "?").update(new Hashtable<>(settings));
        Map<String, Object> expected = new java.util.HashMap<>(Map.of("apiTokenSeconds", 43200, "failureWindowMinutes", 15));
        expected.putAll(settings);
        Grid.await("the accounts configured with " + settings, () -> {
            // the accounts bundle's service, not the broker tests' stand-in (TestAccounts) ranked above it
            ServiceReference<?>[] refs;
            try {
                refs = grid.context.getServiceReferences(ACCOUNTS, "(!(service.description=DAIG OSGi tests*))");
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            ServiceReference<?> ref = refs == null || refs.length == 0 ? null : refs[0];
            return ref != null && expected.entrySet().stream().allMatch(e -> Objects.equals(e.getValue(), ref.getProperty(e.getKey())));
        });
    }

    private String createUser(String name, String... roles) {
        HttpResponse<String> created = send("POST", "/api/v1/admin/users", admin,
                Map.of("user", name, "password", PASSWORD, "roles", List.of(roles)));
        assertEquals(201, created.statusCode(), created.body());
        return name;
    }

    private JsonArray users() {
        HttpResponse<String> r = send("GET", "/api/v1/admin/users", admin, null);
        assertEquals(200, r.statusCode(), r.body());
        return json(r).getAsJsonArray();
    }

    @Test
    void anonymousAndForgedRequestsToEveryEndpointAre401AndChangeNothing() {
        JsonArray usersBefore = users();
        String projectsBefore = send("GET", "/api/v1/projects", admin, null).body();
        String blob = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; // SHA-256 of "hello"
        Map<String, Object> spec = Map.of("name", "x", "model", blob, "x", blob, "y", blob);
        List<Object[]> requests = List.of(
                new Object[] { "GET", "/api/v1/projects", null }, new Object[] { "POST", "/api/v1/projects", spec },
                new Object[] { "GET", "/api/v1/projects/p1", null }, new Object[] { "GET", "/api/v1/projects/p1/versions", null },
                new Object[] { "GET", "/api/v1/projects/p1/results", null }, new Object[] { "GET", "/api/v1/projects/p1/model", null },
                new Object[] { "POST", "/api/v1/projects/p1/pause", null }, new Object[] { "POST", "/api/v1/projects/p1/resume", null },
                new Object[] { "POST", "/api/v1/projects/p1/cancel", null }, new Object[] { "GET", "/api/v1/leases", null },
                new Object[] { "GET", "/api/v1/credits", null }, new Object[] { "GET", "/api/v1/blobs/" + blob, null },
                new Object[] { "HEAD", "/api/v1/blobs/" + blob, null }, new Object[] { "PUT", "/api/v1/blobs/" + blob, "hello" },
                new Object[] { "POST", "/api/v1/logout", null }, new Object[] { "GET", "/api/v1/whoami", null },
                new Object[] { "GET", "/api/v1/devices", null }, new Object[] { "POST", "/api/v1/devices", Map.of("deviceId", "p-anon") },
                new Object[] { "GET", "/api/v1/admin/users", null },
                new Object[] { "POST", "/api/v1/admin/users", Map.of("user", "intruder", "password", PASSWORD, "roles", List.of("admin")) },
                new Object[] { "POST", "/api/v1/admin/users/admin/disable", null },
                new Object[] { "POST", "/api/v1/admin/users/admin/password", Map.of("password", "taken over, really") },
                new Object[] { "POST", "/api/v1/admin/users/admin/revoke", null },
                new Object[] { "POST", "/api/v1/admin/users/admin/roles", Map.of("roles", List.of("volunteer")) },
                new Object[] { "POST", "/api/v1/admin/enrolment-codes", Map.of("user", "admin", "uses", 5, "validHours", 24) },
                new Object[] { "POST", "/api/v1/admin/signup", Map.of("open", true) },
                new Object[] { "GET", "/api/v1/admin/broker-config", null },
                new Object[] { "GET", "/metrics", null }, new Object[] { "GET", "/status", null }, new Object[] { "GET", "/api/status", null });
        String forged = "daig_0123456789abcdef_" + "A".repeat(43);
        for (Object[] r : requests) {
            for (String token : new String[] { null, forged, admin + "x" }) {
                HttpResponse<String> response = send((String) r[0], (String) r[1], token, r[2]);
                String what = r[0] + " " + r[1] + (token == null ? " without a token" : " with a bad token");
                assertEquals(401, response.statusCode(), what + ": " + response.body());
                assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), what);
                if (!"HEAD".equals(r[0])) {
                    assertTrue(json(response).getAsJsonObject().has("error"), what);
                }
            }
        }
        assertNotEquals(401, send("GET", "/health", null, null).statusCode(), "/health stays open");

        assertEquals(usersBefore, users(), "no user created, disabled or changed");
        assertEquals(projectsBefore, send("GET", "/api/v1/projects", admin, null).body(), "no project submitted or changed");
        assertEquals(404, send("GET", "/api/v1/blobs/" + blob, admin, null).statusCode(), "no blob uploaded");
        assertEquals(403, send("POST", "/api/v1/signup", null, Map.of("user", unique("s"), "password", PASSWORD)).statusCode(),
                "sign-up still closed");
        assertEquals(200, send("GET", "/api/v1/whoami", grid.adminToken(), null).statusCode(), "the admin's password still works");
    }

    @Test
    void wrongPasswordsAre401AndTheSixthTryIs429WithRetryAfterEvenWithTheRightPassword() throws Exception {
        configure(Map.of("failureWindowMinutes", 14)); // a limiter of its own (the default window returns it afterwards)
        String user = createUser(unique("guessed"), "requestor");
        String refusal = null;
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = grid.loginResponse(user, "wrong password " + i);
            assertEquals(401, r.statusCode(), r.body());
            refusal = json(r).getAsJsonObject().get("error").getAsString();
        }
        HttpResponse<String> unknown = grid.loginResponse(unique("nobody"), "wrong password x");
        assertEquals(429, unknown.statusCode(), "the address is limited too: " + unknown.body());
        HttpResponse<String> limited = grid.loginResponse(user, PASSWORD);
        assertEquals(429, limited.statusCode(), limited.body());
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= 14 * 60, "Retry-After " + retryAfter);

        configure(Map.of()); // a fresh limiter: the same wrong answer for a user that does not exist and a wrong password
        assertEquals(refusal, json(grid.loginResponse(unique("nobody"), "some password")).getAsJsonObject().get("error").getAsString());
        assertEquals(200, grid.loginResponse(user, PASSWORD).statusCode());
    }

    @Test
    void loginWhoamiAndLogoutWhichRevokesTheToken() throws Exception {
        String user = createUser(unique("rita"), "requestor", "volunteer");
        HttpResponse<String> login = grid.loginResponse(user, PASSWORD);
        assertEquals(200, login.statusCode());
        JsonObject session = json(login).getAsJsonObject();
        String token = session.get("token").getAsString();
        assertTrue(token.startsWith("daig_" + session.get("tokenId").getAsString() + "_"));

        HttpResponse<String> who = send("GET", "/api/v1/whoami", token, null);
        assertEquals(200, who.statusCode(), who.body());
        JsonObject me = json(who).getAsJsonObject();
        assertEquals(user, me.get("user").getAsString());
        assertEquals("api", me.get("scope").getAsString());
        assertEquals(List.of("requestor", "volunteer"), me.get("roles").getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList());
        assertEquals(session.get("tokenId"), me.get("tokenId"));
        assertEquals(session.get("expiresAt"), me.get("expiresAt"));
        assertEquals(200, send("GET", "/api/v1/projects", token, null).statusCode(), "a token opens the API");

        assertEquals(204, send("POST", "/api/v1/logout", token, null).statusCode());
        assertEquals(401, send("GET", "/api/v1/whoami", token, null).statusCode(), "logged out");
        assertEquals(401, send("GET", "/api/v1/projects", token, null).statusCode());
    }

    @Test
    void expiredAndRevokedTokensAre401() throws Exception {
        String user = createUser(unique("tess"), "requestor");
        String revoked = grid.login(user, PASSWORD);
        assertEquals(200, send("GET", "/api/v1/whoami", revoked, null).statusCode());
        HttpResponse<String> revoke = send("POST", "/api/v1/admin/users/" + user + "/revoke", admin, null);
        assertEquals(200, revoke.statusCode(), revoke.body());
        assertEquals(1, json(revoke).getAsJsonObject().get("revoked").getAsInt());
        assertEquals(401, send("GET", "/api/v1/whoami", revoked, null).statusCode(), "revoked");

        configure(Map.of("apiTokenSeconds", 5));
        long before = System.currentTimeMillis();
        JsonObject session = json(grid.loginResponse(user, PASSWORD)).getAsJsonObject();
        long expiresAt = session.get("expiresAt").getAsLong();
        assertTrue(expiresAt >= before + 5000 && expiresAt <= System.currentTimeMillis() + 5000, "expires 5 s after the login");
        String expiring = session.get("token").getAsString();
        assertEquals(200, send("GET", "/api/v1/whoami", expiring, null).statusCode());
        Grid.await("the 5-second token expired", () -> send("GET", "/api/v1/whoami", expiring, null).statusCode() == 401);
        assertTrue(System.currentTimeMillis() >= expiresAt, "refused only once its time was up");
    }

    @Test
    void aRequestorsTokenOnAdminEndpointsIs403AndCreatesNothing() {
        String rob = createUser(unique("rob"), "requestor");
        String requestor = grid.login(rob, PASSWORD);
        JsonArray before = users();
        String intruder = unique("intruder");
        HttpResponse<String> create = send("POST", "/api/v1/admin/users", requestor,
                Map.of("user", intruder, "password", PASSWORD, "roles", List.of("admin")));
        assertEquals(403, create.statusCode(), create.body());
        assertEquals(403, send("GET", "/api/v1/admin/users", requestor, null).statusCode());
        assertEquals(403, send("POST", "/api/v1/admin/users/admin/disable", requestor, null).statusCode());
        assertEquals(403, send("POST", "/api/v1/admin/users/" + rob + "/roles", requestor, Map.of("roles", List.of("admin"))).statusCode(),
                "a requestor cannot make itself an admin");
        assertEquals(403, send("POST", "/api/v1/admin/users/admin/roles", requestor, Map.of("roles", List.of("volunteer"))).statusCode());
        assertEquals(403, send("POST", "/api/v1/admin/signup", requestor, Map.of("open", true)).statusCode());
        assertEquals(403, send("GET", "/api/v1/admin/broker-config", requestor, null).statusCode());
        assertEquals(before, users(), "nothing created or disabled");
        assertFalse(users().toString().contains(intruder));
        assertEquals(403, send("POST", "/api/v1/signup", null, Map.of("user", unique("s"), "password", PASSWORD)).statusCode(),
                "sign-up still closed");
    }

    @Test
    void aDeviceEnrolledWithAnAdminsCodeGetsABoundTokenAndALineInMosquittosPasswordFile() throws Exception {
        String owner = createUser(unique("lab"), "volunteer");
        HttpResponse<String> code = send("POST", "/api/v1/admin/enrolment-codes", admin, Map.of("user", owner, "uses", 1, "validHours", 1));
        assertEquals(201, code.statusCode(), code.body());
        String secret = json(code).getAsJsonObject().get("code").getAsString();
        String device = unique("lab-pc");

        assertEquals(401, send("POST", "/api/v1/devices", null, Map.of("deviceId", device)).statusCode(), "no code, no token");
        assertEquals(401, send("POST", "/api/v1/devices", null, Map.of("deviceId", device, "code", secret + "x")).statusCode());
        HttpResponse<String> enrolled = send("POST", "/api/v1/devices", null, Map.of("deviceId", device, "name", "Lab PC", "code", secret));
        assertEquals(201, enrolled.statusCode(), enrolled.body());
        JsonObject t = json(enrolled).getAsJsonObject();
        assertEquals(owner, t.get("user").getAsString());
        assertEquals(device, t.get("device").getAsString());
        assertEquals(401, send("POST", "/api/v1/devices", null, Map.of("deviceId", unique("lab-pc"), "code", secret)).statusCode(),
                "used up");

        JsonObject who = json(send("GET", "/api/v1/whoami", t.get("token").getAsString(), null)).getAsJsonObject();
        assertEquals("device", who.get("scope").getAsString());
        assertEquals(device, who.get("device").getAsString());
        // this process's coordinator connection (registered before it connects; no broker needed here)
        grid.bus(Topics.COORDINATOR, "coord-accounts", "tcp://127.0.0.1:" + Grid.freePort());
        Grid.await("the broker files name the coordinator's connection", () -> json(send("GET", "/api/v1/admin/broker-config", admin, null))
                .getAsJsonObject().get("passwordFile").getAsString().contains("coord-accounts:$7$101$"));
        JsonObject files = json(send("GET", "/api/v1/admin/broker-config", admin, null)).getAsJsonObject();
        assertTrue(files.get("passwordFile").getAsString().contains(device + ":$7$101$"), files.toString());
        assertTrue(files.get("aclFile").getAsString().contains("pattern write daig/v1/providers/%u/#"));
        assertTrue(files.get("aclFile").getAsString().contains("user coord-accounts\ntopic readwrite daig/v1/#"));
        String volunteer = grid.login(owner, PASSWORD);
        HttpResponse<String> taken = send("POST", "/api/v1/devices", volunteer, Map.of("deviceId", "coord-accounts"));
        assertEquals(422, taken.statusCode(), "a device may not take the coordinator's name: " + taken.body());
    }

    @Test
    void openSignUpCreatesVolunteersWhoEnrolTheirOwnDevicesAndClosingItStopsIt() {
        String name = unique("vic");
        Map<String, Object> account = Map.of("user", name, "password", PASSWORD);
        assertEquals(403, send("POST", "/api/v1/signup", null, account).statusCode(), "closed by default");
        assertEquals(204, send("POST", "/api/v1/admin/signup", admin, Map.of("open", true)).statusCode());
        try {
            HttpResponse<String> signedUp = send("POST", "/api/v1/signup", null, account);
            assertEquals(201, signedUp.statusCode(), signedUp.body());
            JsonObject session = json(signedUp).getAsJsonObject();
            assertEquals("[\"volunteer\"]", session.get("roles").toString());
            assertEquals(409, send("POST", "/api/v1/signup", null, account).statusCode(), "the name is taken");
            assertEquals(422, send("POST", "/api/v1/signup", null, Map.of("user", "bad name", "password", PASSWORD)).statusCode());

            String token = session.get("token").getAsString();
            String device = unique("vic-pc");
            HttpResponse<String> enrolled = send("POST", "/api/v1/devices", token, Map.of("deviceId", device, "name", "Vic's PC"));
            assertEquals(201, enrolled.statusCode(), enrolled.body());
            JsonArray mine = json(send("GET", "/api/v1/devices", token, null)).getAsJsonArray();
            assertEquals(1, mine.size());
            assertEquals(device, mine.get(0).getAsJsonObject().get("device").getAsString());
            String requestor = grid.login(createUser(unique("ruth"), "requestor"), PASSWORD);
            assertEquals(403, send("POST", "/api/v1/devices", requestor, Map.of("deviceId", unique("ruth-pc"))).statusCode(),
                    "only volunteers enrol devices");
            assertEquals(409, send("POST", "/api/v1/devices", grid.login(createUser(unique("vol"), "volunteer"), PASSWORD),
                    Map.of("deviceId", device)).statusCode(), "another account cannot take the device id");
        } finally {
            assertEquals(204, send("POST", "/api/v1/admin/signup", admin, Map.of("open", false)).statusCode());
        }
        assertEquals(403, send("POST", "/api/v1/signup", null, Map.of("user", unique("late"), "password", PASSWORD)).statusCode());
    }
}
