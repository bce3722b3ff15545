package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;

import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;

/**
 * A free rider on the real coordinator and broker: it holds a task of its own but hands in the
 * update another volunteer was credited for. Each copy is refused and earns nothing; after the
 * third (banAfterInvalid) its device gets no more tasks, with the reason, until an admin resets
 * it (Gogo daig:volunteers). The honest volunteer keeps its credit.
 */
class FreeRiderTest {

    private final Grid grid = new Grid();
    private final HttpClient http = HttpClient.newHttpClient();
    private String projectId;

    @AfterEach
    void tearDown() throws Exception {
        if (projectId != null) {
            grid.gogo("cancel", projectId);
        }
        grid.gogo("volunteers", "reset", "rider-free"); // no ban left for other tests
        grid.close();
    }

    @Test
    void aCopiedUpdateEarnsNothingAndThreeGetTheDeviceBannedUntilAnAdminResetsIt() throws Exception {
        assumeTrue(TinyProject.available(), "../shared/data or the trainer runtime is absent: the coordinator needs them to prepare a project");
        grid.spotChecks(0, 0); // the honest volunteer's "update" is made up: there is nothing to replay
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-free", url);
        grid.awaitConnected("coord-free");
        projectId = TinyProject.submit(http, grid.httpBase(), grid.adminToken(), "free-rider", 200, 2, 2);

        try (HandProvider honest = new HandProvider(grid, url, "honest-free"); HandProvider rider = new HandProvider(grid, url, "rider-free")) {
            JsonObject honestTask = honest.awaitTask();
            JsonObject riderTask = rider.awaitTask();
            // the version's own parameters stand for the honest volunteer's update: a blob of the model's length
            String update = honestTask.get("params").getAsString();
            assertEquals("ACCEPTED", honest.hand(honestTask, update).get("kind").getAsString());

            for (int i = 0; i < 3; i++) {
                JsonObject copy = rider.hand(riderTask, update);
                assertEquals("REFUSED", copy.get("kind").getAsString(), copy.toString());
                assertTrue(copy.get("message").getAsString().contains("already accepted for another task"), copy.toString());
            }
            JsonObject none = rider.request();
            assertEquals("NO_TASK", none.get("kind").getAsString(), none.toString());
            assertTrue(none.get("message").getAsString().contains("sent 3 invalid results and gets no more tasks"), none.toString());
            String credits = grid.gogo("credits");
            assertTrue(credits.contains("honest-free"), credits);
            assertFalse(credits.contains("rider-free"), "the copies earned nothing: " + credits);
            String standing = grid.gogo("volunteers");
            assertTrue(standing.lines().anyMatch(l -> l.startsWith("rider-free") && l.contains(" yes ") && l.contains("COPIED_DELTA")), standing);

            assertTrue(grid.gogo("volunteers", "reset", "rider-free").contains("gets tasks again"));
            assertEquals("TASK", rider.request().get("kind").getAsString(), "after the reset it holds its task again");
        }
    }
}
