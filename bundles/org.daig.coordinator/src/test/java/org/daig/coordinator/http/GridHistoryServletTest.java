package org.daig.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.daig.api.account.Identity;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.daig.coordinator.http.FakeHttp.Answer;
import org.daig.coordinator.service.Fixture;
import org.daig.coordinator.service.MetricsCounters;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonParser;

/** The grid's history is an admin's, like the other operator pages. */
class GridHistoryServletTest {

    private final GridHistoryServlet servlet = new GridHistoryServlet(new MetricsCounters(), new ProviderDirectory() {
        @Override
        public List<ProviderInfo> providers() {
            return List.of();
        }

        @Override
        public List<String> otherCoordinators() {
            return List.of();
        }
    });

    private Answer get(Identity caller) throws Exception {
        return FakeHttp.send(servlet, "GET", "/api/v1/grid/history", null, caller, null, Map.of());
    }

    @Test
    void onlyAnAdminReadsTheGridsHistory() throws Exception {
        servlet.sample();
        servlet.sample();
        assertEquals(401, get(null).status);
        for (Identity other : List.of(Fixture.VOLUNTEER, Fixture.ALICE, Fixture.DEVICE_A)) {
            assertEquals(403, get(other).status, other.user());
        }
        Answer admin = get(Fixture.ADMIN);
        assertEquals(200, admin.status, admin.text());
        assertEquals(2, JsonParser.parseString(admin.text()).getAsJsonArray().size(), "the two samples taken");
    }
}
