package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Replication on the real coordinator, broker and trainer workers, BOINC's way: with
 * replicationRate 1 every task goes to a second volunteer too. Two honest volunteers' copies of a
 * task agree, and both are credited; a volunteer that doctors its copy of another's task is
 * found out by the coordinator's replay, loses that credit and is banned, while the honest first
 * result counts and the project completes.
 */
class ReplicationTest {

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
        grid.gogo("volunteers", "reset", "alice-replica");
        grid.close();
    }

    private static String kind(JsonObject reply) {
        return reply.get("kind").getAsString();
    }

    @Test
    void agreeingCopiesCountTwiceAndADoctoredCopyIsFoundOutByTheReplay() throws Exception {
        assumeTrue(TinyProject.available(), "../shared/data or the trainer runtime is absent: the coordinator needs them to prepare a project");
        grid.checks(0, 0, 1); // every task replicated, nothing replayed on its own
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-replica", url);
        grid.awaitConnected("coord-replica");
        WorkerLauncher launcher = grid.service(WorkerLauncher.class, null).orElseThrow(() -> new AssertionError("no WorkerLauncher"));

        try (HandProvider alice = new HandProvider(grid, url, "alice-replica"); HandProvider bob = new HandProvider(grid, url, "bob-replica");
             HandProvider carol = new HandProvider(grid, url, "carol-replica");
             Worker worker = launcher.start(new WorkerLimits("512m", 1, true)); LogCapture log = new LogCapture()) {
            Grid.await("three providers online", () -> grid.provider("carol-replica").map(p -> p.online()).orElse(false)
                    && grid.provider("alice-replica").map(p -> p.online()).orElse(false));
            projectId = TinyProject.submit(http, grid.httpBase(), grid.adminToken(), "replication", 200, 2, 3);
            JsonObject aliceTask = alice.awaitTask();
            JsonObject bobTask = bob.awaitTask();
            assertEquals("ACCEPTED", kind(alice.hand(aliceTask, alice.upload(aliceTask, alice.train(worker, aliceTask, tmp), tmp))));
            assertEquals("ACCEPTED", kind(bob.hand(bobTask, bob.upload(bobTask, bob.train(worker, bobTask, tmp), tmp))));

            JsonObject carolCopy = carol.awaitTask();
            assertEquals(aliceTask.get("shard").getAsInt(), carolCopy.get("shard").getAsInt(), "carol gets alice's task again");
            assertEquals(aliceTask.get("seed").getAsLong(), carolCopy.get("seed").getAsLong());
            assertEquals("ACCEPTED", kind(carol.hand(carolCopy, carol.upload(carolCopy, carol.train(worker, carolCopy, tmp), tmp))));
            log.await("Replicas agree: project " + projectId + " round 0 shard " + aliceTask.get("shard").getAsInt());

            JsonObject aliceCopy = alice.awaitTask();
            assertEquals(bobTask.get("shard").getAsInt(), aliceCopy.get("shard").getAsInt(), "alice gets bob's task, never her own");
            float[] doctored = alice.train(worker, aliceCopy, tmp);
            for (int i = 0; i < doctored.length; i++) {
                doctored[i] *= 1.1f;
            }
            assertEquals("ACCEPTED", kind(alice.hand(aliceCopy, alice.upload(aliceCopy, doctored, tmp))), "no admission check can tell");

            log.await("Replicas disagree: project " + projectId + " round 0 shard " + bobTask.get("shard").getAsInt());
            log.await("Project " + projectId + ": round 1 of 1 closed");
            projectId = null; // completed
            String standing = grid.gogo("volunteers");
            assertTrue(standing.lines().anyMatch(l -> l.startsWith("alice-replica") && l.contains(" yes ") && l.contains("SPOT_CHECK_FAILED")),
                    standing);
            assertTrue(standing.lines().noneMatch(l -> l.startsWith("bob-replica") && l.contains(" yes ")), "bob's result was right: " + standing);
            String credits = grid.gogo("credits");
            for (String volunteer : new String[] { "alice-replica", "bob-replica", "carol-replica" }) {
                assertTrue(credits.contains(volunteer), volunteer + " did honest work that counts: " + credits);
            }
            String aliceLine = credits.lines().filter(l -> l.startsWith("alice-replica")).findFirst().orElseThrow();
            assertEquals("1", aliceLine.strip().split("\\s+")[1], "alice keeps the credit of her own task only: " + aliceLine);
        }
    }
}
