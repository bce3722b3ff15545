package org.daig.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.daig.api.account.Identity;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.daig.coordinator.http.FakeHttp.Answer;
import org.daig.coordinator.service.Fixture;
import org.daig.coordinator.service.MetricsCounters;
import org.daig.coordinator.service.ProjectViews;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonParser;

/** The operator pages are an admin's; /health stays open; a provider reads its own credits. */
class OperatorServletTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private OperatorServlet servlet;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        servlet = new OperatorServlet(new ProjectViews(fx), new MetricsCounters(), new ProviderDirectory() {
            @Override
            public List<ProviderInfo> providers() {
                return List.of();
            }

            @Override
            public List<String> otherCoordinators() {
                return List.of();
            }
        }, CreditedDevices.accounts(), fx.blobs);
        CreditedDevices.earn(fx);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Answer get(String path, Identity caller) throws Exception {
        return FakeHttp.send(servlet, "GET", path, null, caller, null, Map.of());
    }

    @Test
    void onlyAnAdminReadsTheOperatorPages() throws Exception {
        for (String path : List.of("/api/v1/leases", "/api/v1/credits", "/metrics", "/status")) {
            assertEquals(401, get(path, null).status, path);
            if (path.endsWith("/credits")) {
                continue; // anyone signed in reads their own (below)
            }
            for (Identity other : List.of(Fixture.ALICE, Fixture.VOLUNTEER)) {
                Answer refused = get(path, other);
                assertEquals(403, refused.status, path + " for " + other.user());
                assertTrue(refused.text().contains("needs an admin"), refused.text());
            }
            assertEquals(200, get(path, Fixture.ADMIN).status, path);
        }
        assertEquals(403, get("/api/v1/leases", Fixture.DEVICE_A).status);
        assertEquals(503, get("/health", null).status, "open (and down: no bus in this test)");
    }

    @Test
    void healthNamesEachPartAndABlobStoreThatIsGoneIsDown() throws Exception {
        var checks = JsonParser.parseString(get("/health", null).text()).getAsJsonObject().getAsJsonObject("checks");
        assertEquals("UP", checks.get("database").getAsString());
        assertEquals("DOWN", checks.get("bus").getAsString(), "no bus in this test");
        assertEquals("UP", checks.get("blobs").getAsString(), "the fixture's folder");
        OperatorServlet noStore = new OperatorServlet(new ProjectViews(fx), new MetricsCounters(), null, null, null);
        Answer down = FakeHttp.send(noStore, "GET", "/health", null, null, null, Map.of());
        assertEquals(503, down.status);
        assertEquals("DOWN", JsonParser.parseString(down.text()).getAsJsonObject().getAsJsonObject("checks").get("blobs").getAsString(),
                "no blob store (an S3 bucket that has not answered yet)");
    }

    @Test
    void aProviderReadsOnlyItsOwnCredits() throws Exception {
        Answer own = get("/api/v1/credits", Fixture.DEVICE_A);
        assertEquals(200, own.status, own.text());
        var rows = JsonParser.parseString(own.text()).getAsJsonArray();
        assertEquals(1, rows.size(), own.text());
        assertEquals("prov-a", rows.get(0).getAsJsonObject().get("providerId").getAsString());
        assertEquals("vera", rows.get(0).getAsJsonObject().get("account").getAsString(), "credited to the device and its account");
        assertEquals(3, JsonParser.parseString(get("/api/v1/credits", Fixture.ADMIN).text()).getAsJsonArray().size());
    }

    @Test
    void aVolunteerReadsTheCreditsOfTheirAccountsDevicesOnly() throws Exception {
        var rows = JsonParser.parseString(get("/api/v1/credits", Fixture.VOLUNTEER).text()).getAsJsonArray();
        assertEquals(List.of("prov-a", "prov-b"), rows.asList().stream().map(r -> r.getAsJsonObject().get("providerId").getAsString()).toList());
        assertTrue(rows.asList().stream().allMatch(r -> r.getAsJsonObject().get("amount").getAsDouble() > 0), rows.toString());
        assertEquals(0, JsonParser.parseString(get("/api/v1/credits", Fixture.ALICE).text()).getAsJsonArray().size(),
                "a requestor without devices reads no one's credits");
        assertEquals(401, get("/api/v1/credits", null).status);
    }

    @Test
    void aVolunteersRecentTasksAreTheirDevicesOnlyNewestFirst() throws Exception {
        var mine = JsonParser.parseString(get("/api/v1/credits/recent", Fixture.VOLUNTEER).text()).getAsJsonArray();
        assertFalse(mine.isEmpty(), "credited tasks of prov-a and prov-b");
        assertTrue(mine.asList().stream().allMatch(r -> List.of("prov-a", "prov-b").contains(r.getAsJsonObject().get("providerId")
                .getAsString())), mine.toString());
        List<Long> at = mine.asList().stream().map(r -> r.getAsJsonObject().get("at").getAsLong()).toList();
        assertEquals(at.stream().sorted(java.util.Comparator.reverseOrder()).toList(), at, "newest first");
        var device = JsonParser.parseString(get("/api/v1/credits/recent", Fixture.DEVICE_A).text()).getAsJsonArray();
        assertTrue(device.asList().stream().allMatch(r -> r.getAsJsonObject().get("providerId").getAsString().equals("prov-a")));
        assertEquals(0, JsonParser.parseString(get("/api/v1/credits/recent", Fixture.ALICE).text()).getAsJsonArray().size());
        assertEquals(401, get("/api/v1/credits/recent", null).status);
    }
}
