package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;
import java.nio.file.Path;

import org.daig.api.bus.Topics;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;

/**
 * Spot checks on the real coordinator, broker and trainer workers: two volunteers train their
 * tasks for real; one adds "a little" to its update (a shift no norm check can see). The
 * coordinator replays both in its own worker: the honest update matches bit for bit, the doctored
 * one does not: its credit is taken back, its device banned, and its task done again by another.
 */
class SpotCheckTest {

    @TempDir
    Path tmp;

    private final Grid grid = new Grid();
    private final HttpClient http = HttpClient.newHttpClient();
    private String projectId;

    @AfterEach
    void tearDown() throws Exception {
        if (projectId != null) {
            grid.gogo("cancel", projectId);
        }
        grid.gogo("volunteers", "reset", "shifty-spot");
        grid.close();
    }

    @Test
    void anHonestUpdateReplaysBitForBitAndADoctoredOneIsTakenBackAndBanned() throws Exception {
        assumeTrue(TinyProject.available(), "../shared/data or the trainer runtime is absent: the coordinator needs them to prepare a project");
        grid.spotChecks(0, 1); // each device's first result is replayed
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-spot", url);
        grid.awaitConnected("coord-spot");
        projectId = TinyProject.submit(http, grid.httpBase(), grid.adminToken(), "spot-check", 200, 2, 2);
        WorkerLauncher launcher = grid.service(WorkerLauncher.class, null).orElseThrow(() -> new AssertionError("no WorkerLauncher"));

        try (HandProvider honest = new HandProvider(grid, url, "honest-spot"); HandProvider shifty = new HandProvider(grid, url, "shifty-spot");
             Worker worker = launcher.start(new WorkerLimits("512m", 1, true)); LogCapture log = new LogCapture()) {
            JsonObject honestTask = honest.awaitTask();
            JsonObject shiftyTask = shifty.awaitTask();
            float[] update = honest.train(worker, honestTask, tmp);
            float[] doctored = shifty.train(worker, shiftyTask, tmp);
            for (int i = 0; i < doctored.length; i++) {
                doctored[i] += 0.1f * Math.abs(doctored[i]); // "a little is enough": 10 % everywhere, the same way
            }
            assertEquals("ACCEPTED", honest.hand(honestTask, honest.upload(honestTask, update, tmp)).get("kind").getAsString());
            JsonObject accepted = shifty.hand(shiftyTask, shifty.upload(shiftyTask, doctored, tmp));
            assertEquals("ACCEPTED", accepted.get("kind").getAsString(), "no admission check can tell: " + accepted);

            log.await("Spot check passed: project " + projectId + " round 0 shard " + honestTask.get("shard").getAsInt()
                    + " from provider honest-spot (bit-exact)");
            Grid.await("the doctored result taken back and its device banned", () -> {
                try {
                    return grid.gogo("volunteers").lines().anyMatch(l -> l.startsWith("shifty-spot") && l.contains(" yes ")
                            && l.contains("SPOT_CHECK_FAILED"));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            String credits = grid.gogo("credits");
            assertTrue(credits.contains("honest-spot"), credits);
            assertFalse(credits.contains("shifty-spot"), "the credit was taken back: " + credits);
            JsonObject none = shifty.request();
            assertEquals("NO_TASK", none.get("kind").getAsString(), none.toString());
            assertTrue(none.get("message").getAsString().contains("failed the coordinator's replay"), none.toString());

            JsonObject redo = honest.awaitTask();
            assertEquals(shiftyTask.get("shard").getAsInt(), redo.get("shard").getAsInt(), "the task is offered again");
            assertEquals(0, redo.get("round").getAsInt(), "the round waited");
            assertEquals("ACCEPTED", honest.hand(redo, honest.upload(redo, honest.train(worker, redo, tmp), tmp)).get("kind").getAsString());
            log.await("Project " + projectId + ": round 1 of 1 closed");
            projectId = null; // completed: nothing to cancel
        }
    }
}
