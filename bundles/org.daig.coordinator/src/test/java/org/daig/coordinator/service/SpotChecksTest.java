package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.daig.api.project.ProjectSpec;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply.Kind;
import org.daig.api.task.TaskResult;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.CheckStore;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.CreditRow;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spot checks with a scripted trainer worker: the round waits for its replays; a result that
 * replays counts, one that does not is taken back with its credit, bans its device and frees its
 * task; a replay pending at a restart is done after it; a replay the coordinator cannot run is
 * no volunteer's fault.
 */
class SpotChecksTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private final AtomicInteger rounds = new AtomicInteger();
    private final List<Runnable> queued = new ArrayList<>();
    private VolunteerReputation reputation;
    private SpotChecks checks;
    private ResultIntake intake;
    private String project;
    private int online = 3;
    private final List<Integer> replayThreads = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> {
            rounds.incrementAndGet();
            return current;
        });
        reputation = fx.reputation(3);
        fx.worker.answers.put("load", f -> new WorkerAnswer(Map.of("params", 3.0, "outputs", 1.0), new float[0]));
        // the honest update of a task follows from its seed, as a real task's follows from its shard, seed and version
        // the coordinator's worker runs 2 threads unless a replay asks for the volunteer's count
        fx.worker.answers.put("train", f -> {
            replayThreads.add(f.get("threads") instanceof Number n ? n.intValue() : 0);
            return new WorkerAnswer(Map.of("samples", 10.0, "steps", 1.0, "loss", 0.5, "accuracy", 0.5, "seconds", 0.1, "threads",
                    f.get("threads") instanceof Number n ? n.doubleValue() : 2.0, "runtime", "cpu avx2 nd4j-1.0.0-M2.1"),
                    honest(((Number) f.get("seed")).longValue()));
        });
        checks = new SpotChecks(fx, fx.trainer, fx.blobs, reputation, fx.metrics, new VectorBlobs(fx.blobs, tmp.resolve("tmp")), new Random(1),
                queued::add, () -> online);
        checks.configure(0, 1, 1e-4, 0); // every device's first result, then none; no replication
        checks.start();
        intake = new ResultIntake(fx, fx.blobs, fx.metrics, reputation, checks, tmp.resolve("tmp"));
        ProjectRow row = fx.scheduler.create(new ProjectSpec("t", fx.vector(9), fx.vector(8), fx.vector(7), 1, 8, 2, 2, 2, 0.1, 3,
                ProjectSpec.KBATCH_SYNC, 7));
        List<ShardRow> shards = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            shards.add(new ShardRow(i, fx.vector(i), fx.vector(i, 1), 10));
        }
        fx.scheduler.prepared(row.id(), 3, 20, 2, null, null, shards, fx.vector(0, 0, 0), null);
        project = row.id();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static float[] honest(long seed) {
        return new float[] { 1 + Math.floorMod(seed, 997) / 997f, 1, 2 };
    }

    private Scheduler.Outcome hand(String provider, Task task, float[] delta) throws Exception {
        return intake.result(provider, new TaskResult("r", task.leaseId(), task.projectId(), task.round(), task.shard(), task.version(),
                fx.vector(delta), task.rows(), 0.5, 0.9, 1.0));
    }

    private Scheduler.Outcome hand(String provider, Task task, float[] delta, int threads, String runtime) throws Exception {
        return intake.result(provider, new TaskResult("r", task.leaseId(), task.projectId(), task.round(), task.shard(), task.version(),
                fx.vector(delta), task.rows(), 0.5, 0.9, 1.0, threads, runtime));
    }

    private void replayAll() {
        List<Runnable> now = List.copyOf(queued);
        queued.clear();
        now.forEach(Runnable::run);
    }

    private int round() {
        return fx.scheduler.live(project).orElseThrow().row().round();
    }

    private List<String> credited() throws Exception {
        return fx.db.transaction(ProjectStore::credits).stream().map(CreditRow::providerId).toList();
    }

    @Test
    void theRoundWaitsForItsReplaysAndResultsThatReplayCount() throws Exception {
        Task a = intake.lease("a", 0).orElseThrow();
        Task b = intake.lease("b", 0).orElseThrow();
        Scheduler.Outcome first = hand("a", a, honest(a.seed()));
        assertEquals(Kind.ACCEPTED, first.kind());
        assertNotNull(first.check(), "a new device's result is replayed");
        assertEquals(Kind.ACCEPTED, hand("b", b, honest(b.seed())).kind());
        assertEquals(0, round(), "both results are in, but the round waits for their replays");
        assertEquals(0, rounds.get());

        replayAll();
        assertEquals(1, round(), "both replayed exactly: the round closed");
        assertEquals(Map.of("a", 1L, "b", 1L), fx.db.transaction(CheckStore::passedByDevice));
        assertTrue(reputation.banned("a").isEmpty());
        assertEquals(2L, fx.metrics.spotChecks().get("passed"));

        Task next = intake.lease("a", 0).orElseThrow();
        Scheduler.Outcome trusted = hand("a", next, honest(next.seed()));
        assertEquals(Kind.ACCEPTED, trusted.kind());
        assertNull(trusted.check(), "a device that passed its first check is replayed at the spot-check rate only (0 here)");
    }

    @Test
    void aResultThatDoesNotReplayIsTakenBackWithItsCreditAndBansItsDevice() throws Exception {
        Task a = intake.lease("a", 0).orElseThrow();
        Task b = intake.lease("b", 0).orElseThrow();
        float[] flipped = honest(a.seed());
        flipped[0] = -flipped[0]; // a sign flip of one coordinate: same norm, passes every admission check
        Scheduler.Outcome cheat = hand("a", a, flipped);
        assertEquals(Kind.ACCEPTED, cheat.kind(), "the admission checks cannot tell");
        assertTrue(cheat.credit() > 0);
        assertEquals(Kind.ACCEPTED, hand("b", b, honest(b.seed())).kind());
        assertTrue(credited().contains("a"));

        replayAll();
        assertEquals(0, round(), "the round lost a result: it does not close");
        assertEquals(List.of("b"), credited(), "the credit was taken back");
        assertEquals(1L, fx.metrics.spotChecks().get("failed"));
        assertTrue(reputation.banned("a").orElseThrow().contains("failed the coordinator's replay"));
        VolunteerReputation.Volunteer standing = reputation.volunteers().stream().filter(v -> v.providerId().equals("a")).findFirst()
                .orElseThrow();
        assertEquals("SPOT_CHECK_FAILED", standing.lastVerdict());
        assertTrue(standing.lastReason().contains("|replayed - sent| / |replayed|"), standing.lastReason());
        assertTrue(intake.lease("a", 0).isEmpty(), "a banned device gets no task");

        Task again = intake.lease("c", 0).orElseThrow();
        assertEquals(a.shard(), again.shard(), "the task is offered again");
        assertEquals(Kind.ACCEPTED, hand("c", again, honest(again.seed())).kind());
        replayAll();
        assertEquals(1, round());
        assertFalse(credited().contains("a"));
    }

    @Test
    void aReplayPendingAtARestartIsDoneAfterIt() throws Exception {
        Task a = intake.lease("a", 0).orElseThrow();
        Task b = intake.lease("b", 0).orElseThrow();
        hand("a", a, honest(a.seed()));
        hand("b", b, honest(b.seed()));
        queued.clear(); // the coordinator stops before it replays them

        fx.scheduler.load();
        assertEquals(0, round(), "after the restart the round still waits");
        checks.start();
        assertEquals(2, queued.size(), "both replays are queued again");
        replayAll();
        assertEquals(1, round());
    }

    @Test
    void aReplayTheCoordinatorCannotRunIsNoVolunteersFault() throws Exception {
        fx.worker.refusals.put("train", "out of memory");
        Task a = intake.lease("a", 0).orElseThrow();
        Task b = intake.lease("b", 0).orElseThrow();
        hand("a", a, honest(a.seed()));
        hand("b", b, new float[] { 5, 5, 5 });
        replayAll();
        assertEquals(1, round(), "unchecked results count");
        assertTrue(reputation.banned("b").isEmpty());
        assertEquals(List.of("a", "b"), credited());
        assertTrue(fx.db.transaction(CheckStore::passedByDevice).isEmpty(), "nothing passed: the devices stay new");
        assertEquals(2L, fx.metrics.spotChecks().get("unchecked"));
    }

    @Test
    void aReplicatedTaskGoesToASecondVolunteerAndCountsWhenBothAgree() throws Exception {
        checks.configure(0, 0, 1e-4, 1); // every task replicated, nothing replayed
        Task a = intake.lease("a", 0).orElseThrow();
        Task b = intake.lease("b", 0).orElseThrow();
        Scheduler.Outcome first = hand("a", a, honest(a.seed()));
        assertEquals(Kind.ACCEPTED, first.kind());
        assertNull(first.check(), "nothing to check until the second volunteer's result is in");
        assertTrue(intake.lease("a", 0).isEmpty(), "a replica never goes back to the volunteer who did the task");
        Scheduler.Outcome forged = hand("b", a, honest(a.seed()));
        assertEquals(Kind.REFUSED, forged.kind(), "a copy on someone else's lease: " + forged.message());
        assertNull(forged.check());
        checks.configure(0, 0, 1e-4, 0);
        assertEquals(Kind.ACCEPTED, hand("b", b, honest(b.seed())).kind());
        Task replica = intake.lease("c", 0).orElseThrow();
        assertEquals(a.shard(), replica.shard(), "the same task");
        assertEquals(a.seed(), replica.seed());
        Scheduler.Outcome second = hand("c", replica, honest(replica.seed()));
        assertEquals(Kind.ACCEPTED, second.kind());
        assertEquals(first.credit(), second.credit(), "both volunteers are credited for the work");
        assertEquals(0, round(), "the round waits for the comparison");

        replayAll();
        assertEquals(1, round());
        assertEquals(List.of("a", "b", "c"), credited());
        assertEquals(1L, fx.metrics.spotChecks().get("agreed"));
        assertFalse(fx.worker.calls.contains("train"), "agreeing replicas need no replay");
    }

    @Test
    void whenReplicasDisagreeTheReplaySettlesItAndTheLiarIsTakenBackAndBanned() throws Exception {
        checks.configure(0, 0, 1e-4, 1);
        Task a = intake.lease("a", 0).orElseThrow();
        Task b = intake.lease("b", 0).orElseThrow();
        hand("a", a, honest(a.seed()));
        checks.configure(0, 0, 1e-4, 0);
        hand("b", b, honest(b.seed()));
        Task replica = intake.lease("c", 0).orElseThrow();
        float[] doctored = honest(replica.seed());
        doctored[1] += 0.01f;
        assertEquals(Kind.ACCEPTED, hand("c", replica, doctored).kind());

        fx.scheduler.load(); // a restart before the comparison: it is done after it
        queued.clear();
        checks.start();
        replayAll();
        assertEquals(1L, fx.metrics.spotChecks().get("disagreed"));
        assertTrue(fx.worker.calls.contains("train"), "the replay settled it");
        assertTrue(reputation.banned("c").orElseThrow().contains("failed the coordinator's replay"));
        assertTrue(reputation.banned("a").isEmpty());
        assertEquals(List.of("a", "b"), credited(), "the liar's credit is gone, the honest first result counts");
        assertEquals(1, round());
    }

    @Test
    void withOneProviderOnlineNothingIsReplicated() throws Exception {
        online = 1;
        checks.configure(0, 0, 1e-4, 1);
        Task a = intake.lease("a", 0).orElseThrow();
        Task b = intake.lease("a", 0).orElseThrow();
        assertEquals(a.leaseId(), b.leaseId());
        hand("a", a, honest(a.seed()));
        Task next = intake.lease("a", 0).orElseThrow();
        hand("a", next, honest(next.seed()));
        assertEquals(1, round(), "no second volunteer to wait for");
    }

    @Test
    void resultsWaitingForTheirCheckDoNotSetTheYardstickForHonestOnes() throws Exception {
        fx.scheduler.pause(project);
        ProjectRow row = fx.scheduler.create(new ProjectSpec("n", fx.vector(9), fx.vector(8), fx.vector(7), 1, 8, 4, 4, 4, 0.1, 1,
                ProjectSpec.KBATCH_SYNC, 7));
        List<ShardRow> shards = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            shards.add(new ShardRow(i, fx.vector(i, 2), fx.vector(i, 3), 10));
        }
        fx.scheduler.prepared(row.id(), 3, 40, 4, null, null, shards, fx.vector(0, 0, 0), null);
        // three new devices send updates 1000x an honest one's: accepted for now (there is nothing to compare them with yet)
        for (String attacker : List.of("x", "y", "z")) {
            Task t = intake.lease(attacker, 0).orElseThrow();
            float[] huge = honest(t.seed());
            for (int i = 0; i < huge.length; i++) {
                huge[i] *= 1000;
            }
            assertEquals(Kind.ACCEPTED, hand(attacker, t, huge).kind());
        }
        Task t = intake.lease("h", 0).orElseThrow();
        Scheduler.Outcome outcome = hand("h", t, honest(t.seed()));
        assertEquals(Kind.ACCEPTED, outcome.kind(), "not 'too small' next to updates nobody has checked: " + outcome.message());
    }

    @Test
    void settingsOutOfRangeAreBroughtIntoRangeRatherThanBanningEveryone() throws Exception {
        checks.configure(0, 0, -1, 0); // a negative tolerance would fail every honest replay
        Task a = intake.lease("a", 0).orElseThrow();
        checks.configure(7, 0, -1, -3); // a rate of 7 means "all"; a negative replication rate "none"
        float[] otherThreads = honest(a.seed());
        otherThreads[2] += 1e-5f; // as another thread count sums it: not bit for bit, well within 0.01
        assertNotNull(hand("a", a, otherThreads).check(), "a rate of 7 checks everything");
        replayAll();
        assertTrue(reputation.banned("a").isEmpty(), "the honest replay passed under the fallback tolerance");
        assertEquals(1L, fx.metrics.spotChecks().get("passed"));
    }

    /**
     * A volunteer that reports its worker's runtime and threads is replayed with its thread count,
     * and on the same runtime the replay must match bit for bit: a shift the tolerance would let
     * through (1e-6 relative, under 1e-4) is caught. On another runtime the tolerance applies.
     */
    @Test
    void onTheSameRuntimeAndThreadsAReplayMustBeBitExact() throws Exception {
        Task a = intake.lease("a", 0).orElseThrow();
        Task b = intake.lease("b", 0).orElseThrow();
        float[] nudged = honest(a.seed());
        nudged[1] += 2e-6f; // well inside the 1e-4 tolerance
        assertEquals(Kind.ACCEPTED, hand("a", a, nudged, 1, "cpu avx2 nd4j-1.0.0-M2.1").kind());
        float[] alsoNudged = honest(b.seed());
        alsoNudged[1] += 2e-6f;
        assertEquals(Kind.ACCEPTED, hand("b", b, alsoNudged, 4, "cuda sm_90 nd4j-1.0.0-M2.1").kind());

        replayAll();
        assertEquals(List.of(1, 4), replayThreads, "each replay ran with its volunteer's thread count");
        assertTrue(reputation.banned("a").isPresent(), "same runtime and threads: caught");
        String reason = reputation.volunteers().stream().filter(v -> v.providerId().equals("a")).findFirst().orElseThrow().lastReason();
        assertTrue(reason.contains("must be bit-exact"), reason);
        assertTrue(reputation.banned("b").isEmpty(), "another runtime: within the tolerance, passed");
        assertEquals(List.of("b"), credited());
    }

    /**
     * A provider's runtime and thread count are its own words: an absurd count or an overlong
     * fingerprint (hostile, or broken) counts as not reported. The result is stored and the replay
     * judges it within the tolerance; nothing fails on the way.
     */
    @Test
    void anOverlongRuntimeOrAbsurdThreadCountCountsAsNotReported() throws Exception {
        Task a = intake.lease("a", 0).orElseThrow();
        float[] nudged = honest(a.seed());
        nudged[1] += 2e-6f;
        String huge = "cpu avx2 nd4j-1.0.0-M2.1" + "x".repeat(100_000);
        assertEquals(Kind.ACCEPTED, hand("a", a, nudged, -7, huge).kind());
        replayAll();
        assertEquals(List.of(0), replayThreads, "replayed with the coordinator's own threads");
        assertTrue(reputation.banned("a").isEmpty(), "not required to be bit-exact: within the tolerance, passed");
        assertEquals(List.of("a"), credited());
    }

    @Test
    void replaysCompareBitForBitThenWithinTheTolerance() {
        float[] sent = { 1, 2, 3 };
        assertEquals("bit-exact", SpotChecks.compare(sent.clone(), sent, 1e-4).detail());
        assertTrue(SpotChecks.compare(new float[] { 1, 2, 3.00001f }, sent, 1e-4).passed(), "CPU vs CUDA rounding");
        assertFalse(SpotChecks.compare(new float[] { 1, 2, 3.01f }, sent, 1e-4).passed());
        assertFalse(SpotChecks.compare(new float[] { -1, -2, -3 }, sent, 1e-4).passed());
    }
}
