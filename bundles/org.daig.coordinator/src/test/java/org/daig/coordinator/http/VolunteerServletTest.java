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
