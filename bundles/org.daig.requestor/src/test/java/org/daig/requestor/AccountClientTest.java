package org.daig.requestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** The account endpoints' client against the contract in docs/security.md, on a stand-in coordinator. */
class AccountClientTest {

    private static final String TOKEN = "daig_abc_s3cr3ts3cr3ts3cr3t";
    private static final char[] PASSWORD = "correct horse battery".toCharArray();
    private static final String SESSION = "{\"token\": \"" + TOKEN + "\", \"tokenId\": \"abc\", \"user\": \"alice\", \"roles\": [\"requestor\"],"
            + " \"expiresAt\": 1795296471782}";

    private FakeCoordinator coordinator;

    @BeforeEach
    void start() throws IOException {
        coordinator = new FakeCoordinator();
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private JsonObject body(String request) {
        return JsonParser.parseString(coordinator.bodies.get(request)).getAsJsonObject();
    }

    @Test
    void loginPostsTheCredentialsWithoutATokenAndAnswersTheSession() throws Exception {
        coordinator.answer("POST /api/v1/login", 200, SESSION);

        AccountClient.Session session = new AccountClient(coordinator.base(), null).login("alice", PASSWORD);

        assertEquals(TOKEN, session.token());
        assertEquals("alice", session.user());
        assertEquals(List.of("requestor"), session.roles());
        assertEquals(1795296471782L, session.expiresAt());
        assertEquals("alice", body("POST /api/v1/login").get("user").getAsString());
        assertEquals("correct horse battery", body("POST /api/v1/login").get("password").getAsString());
        assertEquals(List.of("-"), coordinator.authorizations());
        assertFalse(session.toString().contains(TOKEN), session.toString());
    }

    @Test
    void aWrongPasswordIsNotAuthenticatedInTheCoordinatorsWords() {
        coordinator.answer("POST /api/v1/login", 401, "{\"error\": \"wrong user or password\"}");

        NotAuthenticatedException e = assertThrows(NotAuthenticatedException.class,
                () -> new AccountClient(coordinator.base(), null).login("alice", PASSWORD));

        assertEquals("the coordinator at " + coordinator.base() + " refused the login: wrong user or password", e.getMessage());
    }

    @Test
    void tooManyFailuresSayWhenToTryAgain() {
        coordinator.answer("POST /api/v1/login", 429, "{\"error\": \"slow down\"}", Map.of("Retry-After", "840"));

        RequestorException e = assertThrows(RequestorException.class, () -> new AccountClient(coordinator.base(), null).login("alice", PASSWORD));

        assertEquals(429, e.status());
        assertTrue(e.getMessage().endsWith("try again in 840 s"), e.getMessage());
    }

    @Test
    void aNameThatIsNoNameIsRefusedBeforeAnythingIsSent() {
        AccountClient admin = new AccountClient(coordinator.base(), TOKEN);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> admin.disable("../projects"));

        assertTrue(e.getMessage().startsWith("user: '../projects' is not a name"), e.getMessage());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void aShortPasswordIsRefusedBeforeAnythingIsSent() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AccountClient(coordinator.base(), TOKEN).addUser("bob", "short".toCharArray(), List.of("requestor")));

        assertTrue(e.getMessage().startsWith("password: it has 5 characters"), e.getMessage());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void whoamiAndLogoutSendTheTokenAndTimesMayBeIsoInstants() throws Exception {
        coordinator.answer("GET /api/v1/whoami", 200, "{\"user\": \"alice\", \"roles\": [\"requestor\", \"admin\"], \"scope\": \"api\","
                + " \"device\": null, \"tokenId\": \"abc\", \"expiresAt\": \"2026-11-21T12:00:00Z\"}").answer("POST /api/v1/logout", 204, "");
        AccountClient alice = new AccountClient(coordinator.base(), TOKEN);

        AccountClient.WhoAmI me = alice.whoami();
        alice.logout();

        assertEquals(List.of("requestor", "admin"), me.roles());
        assertNull(me.device());
        assertEquals(java.time.Instant.parse("2026-11-21T12:00:00Z").toEpochMilli(), me.expiresAt());
        assertEquals(List.of("Bearer " + TOKEN, "Bearer " + TOKEN), coordinator.authorizations());
    }

    @Test
    void aDeviceEnrolsWithACodeAndNoToken() throws Exception {
        coordinator.answer("POST /api/v1/devices", 201, "{\"token\": \"daig_d1_devsecret\", \"tokenId\": \"d1\", \"user\": \"vol\","
                + " \"device\": \"provider-box-1a2b3c\", \"coordinatorId\": \"coordinator-srv\"}");

        AccountClient.DeviceToken token = new AccountClient(coordinator.base(), null).enrolDevice("provider-box-1a2b3c", "box", "CODE-1");

        assertEquals("daig_d1_devsecret", token.token());
        assertEquals("vol", token.user());
        JsonObject sent = body("POST /api/v1/devices");
        assertEquals("provider-box-1a2b3c", sent.get("deviceId").getAsString());
        assertEquals("box", sent.get("name").getAsString());
        assertEquals("CODE-1", sent.get("code").getAsString());
        assertEquals(List.of("-"), coordinator.authorizations());
        assertFalse(token.toString().contains("devsecret"), token.toString());
    }

    @Test
    void aRefusedCodeSaysSo() {
        coordinator.answer("POST /api/v1/devices", 403, "{\"error\": \"unknown or used-up enrolment code\"}");

        RequestorException e = assertThrows(RequestorException.class,
                () -> new AccountClient(coordinator.base(), null).enrolDevice("provider-box-1", "box", "WRONG"));

        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("refused to enrol this device with the enrolment code")
                && e.getMessage().contains("unknown or used-up enrolment code"), e.getMessage());
    }

    @Test
    void theAdminsCallsGoWhereTheContractSays() throws Exception {
        coordinator.answer("GET /api/v1/admin/users", 200, "[{\"user\": \"alice\", \"roles\": [\"admin\"], \"disabled\": false,"
                + " \"createdAt\": 5, \"lastLoginAt\": null}]")
                .answer("POST /api/v1/admin/users", 201, "{\"user\": \"bob\", \"roles\": [\"requestor\"], \"disabled\": false, \"createdAt\": 6}")
                .answer("POST /api/v1/admin/users/bob/disable", 204, "").answer("POST /api/v1/admin/users/bob/enable", 204, "")
                .answer("POST /api/v1/admin/users/bob/password", 204, "")
                .answer("POST /api/v1/admin/users/bob/revoke", 200, "{\"revoked\": 3}")
                .answer("POST /api/v1/admin/enrolment-codes", 201, "{\"code\": \"ENROL-XYZ\", \"user\": \"vol\", \"uses\": 2, \"expiresAt\": 9}")
                .answer("POST /api/v1/admin/signup", 204, "")
                .answer("GET /api/v1/admin/broker-config", 200, "{\"passwordFile\": \"p:$7$x\\n\", \"aclFile\": \"pattern write x\\n\"}");
        AccountClient admin = new AccountClient(coordinator.base(), TOKEN);

        assertNull(admin.users().get(0).lastLoginAt());
        assertEquals("bob", admin.addUser("bob", PASSWORD, List.of("requestor")).user());
        admin.disable("bob");
        admin.enable("bob");
        admin.setPassword("bob", PASSWORD);
        assertEquals(3, admin.revoke("bob"));
        AccountClient.EnrolmentCode code = admin.enrolmentCode("vol", 2, 48);
        admin.setSignup(true);
        AccountClient.BrokerConfig broker = admin.brokerConfig();

        assertEquals("ENROL-XYZ", code.code());
        assertFalse(code.toString().contains("ENROL-XYZ"));
        assertEquals("pattern write x\n", broker.aclFile());
        assertEquals("[\"requestor\"]", body("POST /api/v1/admin/users").get("roles").toString());
        assertEquals(48, body("POST /api/v1/admin/enrolment-codes").get("validHours").getAsInt());
        assertTrue(body("POST /api/v1/admin/signup").get("open").getAsBoolean());
        assertEquals("correct horse battery", body("POST /api/v1/admin/users/bob/password").get("password").getAsString());
        assertEquals(9, coordinator.requests().size());
        assertTrue(coordinator.authorizations().stream().allMatch(("Bearer " + TOKEN)::equals));
    }

    @Test
    void signupClosedTellsWhomToAsk() {
        coordinator.answer("POST /api/v1/signup", 403, "{\"error\": \"sign-up is closed\"}");

        RequestorException e = assertThrows(RequestorException.class,
                () -> new AccountClient(coordinator.base(), null).signup("newbie", PASSWORD));

        assertTrue(e.getMessage().startsWith("sign-up is closed on the grid at " + coordinator.base() + ": ask its admin"), e.getMessage());
    }
}
