package org.daig.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.daig.api.account.Identity;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.http.FakeHttp.Answer;
import org.daig.coordinator.schedule.ResultAdmission.Verdict;
import org.daig.coordinator.service.Fixture;
import org.daig.coordinator.service.VolunteerReputation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;

/** Admins see and lift bans; nobody else sees or changes anything. */
class VolunteerServletTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private VolunteerReputation reputation;
    private VolunteerServlet servlet;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        reputation = fx.reputation(2);
        servlet = new VolunteerServlet(reputation);
        TaskResult r = new TaskResult("r", "l1", "p", 0, 0, 0, "d".repeat(64), 10, 0, 0, 1);
        reputation.judged("prov-x", r, Verdict.COPIED_DELTA, "its update is one the project already accepted for another task");
        reputation.judged("prov-x", r, Verdict.ZERO_DELTA, "its update is zero: training changed nothing");
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Answer send(String method, String info, Identity caller) throws Exception {
        return FakeHttp.send(servlet, method, "/api/v1/volunteers", info, caller, null, Map.of());
    }

    @Test
    void anAdminSeesWhoIsBannedAndWhyAndLiftsIt() throws Exception {
        JsonArray list = JsonParser.parseString(send("GET", null, Fixture.ADMIN).text()).getAsJsonArray();
        assertEquals(1, list.size());
        var x = list.get(0).getAsJsonObject();
        assertEquals("prov-x", x.get("providerId").getAsString());
        assertEquals(2, x.get("invalid").getAsInt());
        assertTrue(x.get("banned").getAsBoolean());
        assertEquals("ZERO_DELTA", x.get("lastVerdict").getAsString());

        Answer reset = send("POST", "/prov-x/reset", Fixture.ADMIN);
        assertEquals(200, reset.status, reset.text());
        assertTrue(JsonParser.parseString(reset.text()).getAsJsonObject().get("hadInvalidResults").getAsBoolean());
        assertTrue(reputation.banned("prov-x").isEmpty());
    }

    @Test
    void anAdminBansADeviceWithAReasonSeesItInTheAuditAndLiftsIt() throws Exception {
        assertTrue(reputation.banned("prov-y").isEmpty());
        Answer ban = FakeHttp.send(servlet, "POST", "/api/v1/volunteers", "/prov-y/ban", Fixture.ADMIN, null,
                Map.of("reason", "<b>sends junk</b>"));
        assertEquals(200, ban.status, ban.text());
        assertTrue(reputation.banned("prov-y").orElseThrow().contains("an admin banned this device"), reputation.banned("prov-y").toString());
        JsonArray audit = JsonParser.parseString(FakeHttp.send(servlet, "GET", "/api/v1/volunteers", "/refusals", Fixture.ADMIN, null,
                Map.of("provider", "prov-y")).text()).getAsJsonArray();
        assertEquals(1, audit.size(), audit.toString());
        assertEquals(VolunteerReputation.BANNED_BY_ADMIN, audit.get(0).getAsJsonObject().get("verdict").getAsString());
        assertEquals("<b>sends junk</b>", audit.get(0).getAsJsonObject().get("reason").getAsString(), "stored as given; pages escape it");
        JsonArray copied = JsonParser.parseString(FakeHttp.send(servlet, "GET", "/api/v1/volunteers", "/refusals", Fixture.ADMIN, null,
                Map.of("verdict", "COPIED_DELTA")).text()).getAsJsonArray();
        assertEquals(1, copied.size(), copied.toString());
        assertEquals(3, JsonParser.parseString(send("GET", "/refusals", Fixture.ADMIN).text()).getAsJsonArray().size());
        assertEquals(400, FakeHttp.send(servlet, "GET", "/api/v1/volunteers", "/refusals", Fixture.ADMIN, null, Map.of("limit", "0")).status);
        assertEquals(403, send("POST", "/prov-x/ban", Fixture.VOLUNTEER).status);

        assertEquals(200, send("POST", "/prov-y/reset", Fixture.ADMIN).status);
        assertTrue(reputation.banned("prov-y").isEmpty(), "lifted");
    }

    @Test
    void nobodyElseSeesOrLiftsABan() throws Exception {
        assertEquals(401, send("GET", null, null).status);
        assertEquals(401, send("POST", "/prov-x/reset", null).status);
        for (Identity other : new Identity[] { Fixture.ALICE, Fixture.VOLUNTEER, Fixture.DEVICE_A }) {
            assertEquals(403, send("GET", null, other).status, other.user());
            Answer refused = send("POST", "/prov-x/reset", other);
            assertEquals(403, refused.status, other.user());
            assertTrue(refused.text().contains("needs an admin"), refused.text());
        }
        assertTrue(reputation.banned("prov-x").isPresent(), "still banned: nothing changed");
        assertEquals(404, send("POST", "/prov-x/forgive", Fixture.ADMIN).status);
        assertEquals(404, send("POST", "/../x/reset", Fixture.ADMIN).status);
        assertFalse(reputation.banned("prov-x").isEmpty());
    }
}
