package org.daig.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.daig.api.account.Identity;
import org.daig.coordinator.http.FakeHttp.Answer;
import org.daig.coordinator.service.Fixture;
import org.daig.coordinator.service.ProjectViews;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** The credits leaderboard by account: ranks, the caller's own line, and a volunteer's opt-out from the public list. */
class LeaderboardServletTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private LeaderboardServlet servlet;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        servlet = new LeaderboardServlet(new ProjectViews(fx), CreditedDevices.accounts());
        CreditedDevices.earn(fx);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Answer call(String method, String path, Identity caller, Map<String, String> parameters) throws Exception {
        return FakeHttp.send(servlet, method, path, null, caller, null, parameters);
    }

    private JsonObject board(Identity caller) throws Exception {
        Answer a = call("GET", "/api/v1/credits/leaderboard", caller, Map.of());
        assertEquals(200, a.status, a.text());
        return JsonParser.parseString(a.text()).getAsJsonObject();
    }

    private static List<String> listed(JsonObject board) {
        return board.getAsJsonArray("entries").asList().stream().map(e -> e.getAsJsonObject().get("account").getAsString()).toList();
    }

    @Test
    void accountsAreRankedByTheirDevicesCreditsTogether() throws Exception {
        JsonObject board = board(Fixture.ALICE);
        assertEquals(2, board.get("accounts").getAsInt());
        assertEquals(List.of("vera", "walt"), listed(board), "vera's two devices outrank walt's one");
        assertEquals(2, board.getAsJsonArray("entries").get(0).getAsJsonObject().get("tasks").getAsLong());
        assertEquals(0, board.getAsJsonObject("you").get("rank").getAsInt(), "alice has no credits: no rank");
        JsonObject own = board(Fixture.DEVICE_A).getAsJsonObject("you");
        assertEquals("vera", own.get("account").getAsString(), "a device sees its account's line");
        assertEquals(1, own.get("rank").getAsInt());
        assertEquals(401, call("GET", "/api/v1/credits/leaderboard", null, Map.of()).status);
    }

    @Test
    void aVolunteerWhoOptsOutKeepsTheirRankButLeavesThePublicList() throws Exception {
        Answer out = call("POST", "/api/v1/credits/leaderboard/me", Fixture.VOLUNTEER, Map.of("listed", "false"));
        assertEquals(200, out.status, out.text());
        assertFalse(JsonParser.parseString(out.text()).getAsJsonObject().get("listed").getAsBoolean());
        assertEquals(List.of("walt"), listed(board(Fixture.ADMIN)), "not on anyone's public list, an admin's included");
        JsonObject walt = board(Fixture.ALICE).getAsJsonArray("entries").get(0).getAsJsonObject();
        assertEquals(2, walt.get("rank").getAsInt(), "opting out changes nobody's rank");
        JsonObject own = board(Fixture.VOLUNTEER).getAsJsonObject("you");
        assertEquals(1, own.get("rank").getAsInt(), "the volunteer still sees their own rank");
        assertFalse(own.get("listed").getAsBoolean());
        assertEquals(200, call("POST", "/api/v1/credits/leaderboard/me", Fixture.VOLUNTEER, Map.of("listed", "true")).status);
        assertEquals(List.of("vera", "walt"), listed(board(Fixture.ALICE)), "listed again");
    }

    @Test
    void onlyThePersonChangesTheirListingAndNonsenseIsRefused() throws Exception {
        Answer device = call("POST", "/api/v1/credits/leaderboard/me", Fixture.DEVICE_A, Map.of("listed", "false"));
        assertEquals(403, device.status, device.text());
        assertEquals(401, call("POST", "/api/v1/credits/leaderboard/me", null, Map.of("listed", "false")).status);
        Answer nonsense = call("POST", "/api/v1/credits/leaderboard/me", Fixture.VOLUNTEER, Map.of("listed", "maybe"));
        assertEquals(400, nonsense.status);
        assertTrue(nonsense.text().contains("listed: true"), nonsense.text());
        assertEquals(List.of("vera", "walt"), listed(board(Fixture.ALICE)), "nothing changed");
    }
}
