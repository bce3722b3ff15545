package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.daig.api.project.ProjectSpec;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply.Kind;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.ResultAdmission;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The intake reads each delta before the scheduler's rule: missing, wrong length and NaN deltas are refused with a reason. */
class ResultIntakeTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private ResultIntake intake;
    private VolunteerReputation reputation;
    private String project;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        reputation = new VolunteerReputation(fx.db, 3, () -> 1_000L);
        intake = new ResultIntake(fx, fx.blobs, fx.metrics, reputation, null, tmp.resolve("tmp")); // no spot checks here
        ProjectRow row = fx.scheduler.create(new ProjectSpec("t", "a".repeat(64), "b".repeat(64), "c".repeat(64), 1, 8, 2, 2, 2, 0.1,
                1, ProjectSpec.KBATCH_SYNC, 7));
        List<ShardRow> shards = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            shards.add(new ShardRow(i, "d".repeat(64), "e".repeat(64), 10));
        }
        fx.scheduler.prepared(row.id(), 3, 20, 2, null, null, shards, fx.vector(0, 0, 0), null);
        project = row.id();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Scheduler.Outcome hand(Task task, String delta) throws Exception {
        return intake.result("a", new TaskResult("r", task.leaseId(), task.projectId(), task.round(), task.shard(), task.version(), delta,
                task.rows(), 0.5, 0.9, 1.0));
    }

    @Test
    void aSoundDeltaIsAcceptedWithItsCreditAndCounted() throws Exception {
        Task task = intake.lease("a", 0).orElseThrow();
        Scheduler.Outcome outcome = hand(task, fx.vector(3, 4, 0));
        assertEquals(Kind.ACCEPTED, outcome.kind(), outcome.message());
        assertEquals(6.0 * 3 * 10 * 1 / 1e12, outcome.credit(), 1e-20);
        assertEquals(1, fx.metrics.leases());
        assertEquals(1L, fx.metrics.results().get(Kind.ACCEPTED));
    }

    @Test
    void aSoundDeltaIsKeptForItsRoundsCloseAndARefusedOneIsNot() throws Exception {
        CheckedDeltas checked = new CheckedDeltas(1 << 20);
        intake = new ResultIntake(fx, fx.blobs, fx.metrics, reputation, null, tmp.resolve("tmp"), checked);
        Task task = intake.lease("a", 0).orElseThrow();
        String nan = fx.vector(1, Float.NaN, 0);
        assertEquals(Kind.REFUSED, hand(task, nan).kind());
        assertNull(checked.get(nan, null), "a refused delta is not kept");
        String sound = fx.vector(3, 4, 0);
        assertEquals(Kind.ACCEPTED, hand(task, sound).kind());
        assertArrayEquals(new float[] { 3, 4, 0 }, checked.get(sound, null));
    }

    @Test
    void missingWrongLengthAndNonFiniteDeltasAreRefusedAndTheShardStaysOpen() throws Exception {
        intake = new ResultIntake(fx, fx.blobs, fx.metrics, new VolunteerReputation(fx.db, 0, () -> 1_000L), null, tmp.resolve("tmp"));
        Task task = intake.lease("a", 0).orElseThrow();
        Scheduler.Outcome missing = hand(task, "f".repeat(64));
        assertEquals(Kind.REFUSED, missing.kind());
        assertTrue(missing.message().contains("is not on the coordinator"), missing.message());
        Scheduler.Outcome shortDelta = hand(task, fx.vector(1, 2));
        assertEquals(Kind.REFUSED, shortDelta.kind());
        assertTrue(shortDelta.message().startsWith("its delta"), shortDelta.message());
        Scheduler.Outcome nan = hand(task, fx.vector(1, Float.NaN, 0));
        assertEquals(Kind.REFUSED, nan.kind());
        assertEquals("its delta has NaN at index 1", nan.message());
        assertEquals(3L, fx.metrics.results().get(Kind.REFUSED));
        assertEquals(Kind.ACCEPTED, hand(task, fx.vector(1, 1, 1)).kind(), "the refusals took nothing away from the task (no bans here)");
    }

    /**
     * A delta whose stored bytes a power cut cut short (providers' results are not forced to disk):
     * the coordinator's loss, not the provider's misconduct. Nothing is audited against the
     * provider, the remains are removed, and the provider, still holding its task, does it again.
     */
    @Test
    void aDeltaTheStoreLostIsNotHeldAgainstItsProviderWhoDoesTheTaskAgain() throws Exception {
        Task task = intake.lease("a", 0).orElseThrow();
        String delta = fx.vector(3, 4, 0);
        java.nio.file.Files.write(fx.blobs.file(delta), new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y' });

        Scheduler.Outcome lost = hand(task, delta);
        assertEquals(Kind.STALE, lost.kind(), lost.message());
        assertEquals(ResultAdmission.Verdict.DELTA_LOST, lost.verdict());
        assertTrue(lost.message().contains("lost its copy"), lost.message());
        assertTrue(reputation.refusals("a", null, 10).isEmpty(), "nothing counts against the provider");
        assertTrue(fx.blobs.find(delta).isEmpty(), "the remains are removed, so the same bytes can be uploaded again");
        Task again = intake.lease("a", 0).orElseThrow();
        assertEquals(task.leaseId(), again.leaseId(), "the provider still holds its task");
        assertEquals(Kind.ACCEPTED, hand(again, fx.vector(3, 4, 0)).kind(), "uploaded afresh, the same result counts");

        Task other = intake.lease("b", 0).orElseThrow();
        Scheduler.Outcome forged = intake.result("b", new TaskResult("r", other.leaseId(), other.projectId(), other.round(), other.shard(),
                other.version(), fx.vector(1, 2), other.rows(), 0.5, 0.9, 1.0));
        assertEquals(ResultAdmission.Verdict.BAD_DELTA, forged.verdict(), "a short delta that hashes to its id is its sender's doing");
    }

    /**
     * After a restart, a result may name a delta the store never kept: uploaded to the process
     * before (not forced to disk), lost with it in a power cut. For a lease issued before the start
     * that is forgiven once, like a delta found cut short; for a lease of this run, for someone
     * else's lease, or a second time, the provider is refused as one that never uploaded.
     */
    @Test
    void aDeltaMissingAfterARestartIsForgivenOnceForALeaseFromBeforeIt() throws Exception {
        Task before = intake.lease("a", 0).orElseThrow();
        intake.reload(); // the coordinator starts again on its data
        Task after = intake.lease("b", 0).orElseThrow();
        String missing = "f".repeat(64);

        Scheduler.Outcome notTheirs = intake.result("b", new TaskResult("r", before.leaseId(), before.projectId(), before.round(),
                before.shard(), before.version(), missing, before.rows(), 0.5, 0.9, 1.0));
        assertEquals(ResultAdmission.Verdict.BAD_DELTA, notTheirs.verdict(), "another provider's lease earns nothing");
        Scheduler.Outcome fresh = intake.result("b", new TaskResult("r", after.leaseId(), after.projectId(), after.round(),
                after.shard(), after.version(), missing, after.rows(), 0.5, 0.9, 1.0));
        assertEquals(ResultAdmission.Verdict.BAD_DELTA, fresh.verdict(), "a lease of this run: the upload records would know");

        Scheduler.Outcome lost = hand(before, missing);
        assertEquals(Kind.STALE, lost.kind(), lost.message());
        assertEquals(ResultAdmission.Verdict.DELTA_LOST, lost.verdict());
        assertTrue(reputation.refusals("a", null, 10).isEmpty(), "nothing counts against the provider");
        Task again = intake.lease("a", 0).orElseThrow();
        assertEquals(before.leaseId(), again.leaseId(), "the provider still holds its task");
        assertEquals(ResultAdmission.Verdict.BAD_DELTA, hand(again, missing).verdict(), "forgiven once only");
        assertEquals(Kind.ACCEPTED, hand(again, fx.vector(3, 4, 0)).kind(), "uploaded anew, its result counts");
    }

    /**
     * A project whose updates go up as fp16: an fp16 update is read (and its round closes with the
     * decoded values); a .npy, another encoding or a truncated one is refused by name, and the task
     * stays open.
     */
    @Test
    void aCompressedProjectReadsItsEncodingAndRefusesAnyOther() throws Exception {
        fx.close();
        List<float[]> aggregated = new ArrayList<>();
        fx = new Fixture(tmp.resolve("compressed"), (p, current, results) -> {
            for (var r : results) {
                aggregated.add(org.daig.wire.UpdateCodec.decode(fx.blobs.open(r.deltaBlob(), 0), 3,
                        org.daig.wire.UpdateCodec.Compression.parse(p.spec().compression())));
            }
            return current;
        });
        intake = new ResultIntake(fx, fx.blobs, fx.metrics, new VolunteerReputation(fx.db, 0, () -> 1_000L), null, tmp.resolve("tmp"));
        ProjectRow row = fx.scheduler.create(new ProjectSpec("t", "a".repeat(64), "b".repeat(64), "c".repeat(64), 1, 8, 1, 1, 1, 0.1,
                1, ProjectSpec.KBATCH_SYNC, 7, null, null, null, "fp16", null));
        fx.scheduler.prepared(row.id(), 3, 10, 1, null, null, List.of(new ShardRow(0, "d".repeat(64), "e".repeat(64), 10)),
                fx.vector(0, 0, 0), null);
        Task task = intake.lease("a", 0).orElseThrow();
        assertEquals("fp16", task.compression(), "the task tells the provider how to encode");
        org.daig.wire.UpdateCodec.Compression fp16 = org.daig.wire.UpdateCodec.Compression.parse("fp16");
        org.daig.wire.UpdateCodec.Compression int8 = org.daig.wire.UpdateCodec.Compression.parse("int8");
        byte[] good = org.daig.wire.UpdateCodec.encode(new float[] { 0.5f, -1.25f, 2f }, fp16);
        String[][] refusals = { { fx.vector(0.5f, -1.25f, 2f), "not a DAIG compressed vector" },
            { fx.bytes(org.daig.wire.UpdateCodec.encode(new float[] { 0.5f, -1.25f, 2f }, int8)), "encoded as int8" },
            { fx.bytes(java.util.Arrays.copyOf(good, good.length - 1)), "truncated" } };
        for (String[] refusal : refusals) {
            Scheduler.Outcome outcome = hand(task, refusal[0]);
            assertEquals(Kind.REFUSED, outcome.kind(), refusal[1]);
            assertTrue(outcome.message().contains(refusal[1]), outcome.message());
        }
        assertTrue(aggregated.isEmpty(), "nothing refused reached the round");
        assertEquals(Kind.ACCEPTED, hand(task, fx.bytes(good)).kind());
        assertEquals(1, aggregated.size(), "the round closed with the one result");
        assertArrayEquals(new float[] { 0.5f, -1.25f, 2f }, aggregated.get(0));
    }

    @Test
    void aDeviceThatSendsInvalidResultsGetsNoMoreTasksUntilAnAdminResetsIt() throws Exception {
        Task task = intake.lease("a", 0).orElseThrow();
        assertEquals(Kind.REFUSED, hand(task, fx.vector(0, 0, 0)).kind(), "a zero update: a free rider");
        assertEquals(Kind.REFUSED, hand(task, "f".repeat(64)).kind());
        assertTrue(intake.noTasksFor("a").isEmpty(), "two invalid results: not yet");
        assertEquals(Kind.REFUSED, hand(task, fx.vector(1, Float.NaN, 0)).kind());

        assertEquals("this device sent 3 invalid results and gets no more tasks; ask the grid's admin to review it",
                intake.noTasksFor("a").orElseThrow());
        assertTrue(intake.lease("a", 0).isEmpty(), "no task, though the second shard is open");
        VolunteerReputation.Volunteer a = reputation.volunteers().get(0);
        assertEquals(List.of("a", "0", "3", "true", "BAD_DELTA", "its delta has NaN at index 1"), List.of(a.providerId(),
                Long.toString(a.accepted()), Long.toString(a.invalid()), Boolean.toString(a.banned()), a.lastVerdict(), a.lastReason()));
        assertTrue(new VolunteerReputation(fx.db, 3, () -> 2_000L).banned("a").isPresent(), "the ban outlives a restart");
        assertTrue(intake.lease("b", 0).isPresent(), "other devices are not affected");
        assertTrue(intake.lease("c", 0).isPresent(), "the banned device's lease ended: both tasks are offered again");

        assertTrue(reputation.reset("a"));
        assertTrue(intake.noTasksFor("a").isEmpty(), "an admin's reset lifts the ban");
        assertEquals(0, reputation.volunteers().get(0).invalid());
        assertTrue(new VolunteerReputation(fx.db, 3, () -> 3_000L).banned("a").isEmpty(), "and the reset is kept");
    }

    @Test
    void aBannedVolunteersOtherDevicesGetNoTasksEither() throws Exception {
        Map<String, String> owners = Map.of("a", "ann", "a2", "ann", "b", "bob");
        reputation = new VolunteerReputation(fx.db, 3, () -> 1_000L, device -> Optional.ofNullable(owners.get(device)));
        intake = new ResultIntake(fx, fx.blobs, fx.metrics, reputation, null, tmp.resolve("tmp"));
        Task task = intake.lease("a", 0).orElseThrow();
        for (int i = 0; i < 3; i++) {
            assertEquals(Kind.REFUSED, hand(task, fx.vector(0, 0, 0)).kind(), "a free rider");
        }
        assertTrue(intake.noTasksFor("a2").orElseThrow().contains("device a of the same account is banned"),
                "a new device buys the volunteer no fresh start");
        assertTrue(intake.lease("a2", 0).isEmpty());
        assertTrue(intake.noTasksFor("b").isEmpty(), "another volunteer's devices are not affected");
        assertEquals("ann", reputation.volunteers().get(0).account());

        reputation.reset("a");
        assertTrue(intake.lease("a2", 0).isPresent(), "the admin's reset of the banned device lifts it for the account");
    }

    @Test
    void refusalsThatHonestProvidersMeetDoNotCount() throws Exception {
        Task task = intake.lease("a", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, hand(task, fx.vector(1, 1, 1)).kind());
        for (int i = 0; i < 3; i++) {
            assertEquals(Kind.DUPLICATE, hand(task, fx.vector(1, 1, 1)).kind(), "sent again, as after a lost acknowledgement");
        }
        assertTrue(intake.noTasksFor("a").isEmpty());
        assertEquals(0, reputation.volunteers().get(0).invalid());
    }

    @Test
    void aResultForAnUnknownProjectIsUnknownWithoutItsDeltaBeingRead() throws Exception {
        Scheduler.Outcome outcome = intake.result("a", new TaskResult("r", "l", "nope", 0, 0, 0, "not a blob", 10, 0, 0, 1));
        assertEquals(Kind.UNKNOWN, outcome.kind());
        assertEquals("no project nope", outcome.message());
        assertTrue(project.startsWith("p"));
    }
}
