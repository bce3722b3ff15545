package org.daig.coordinator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.daig.api.project.ProjectSpec;
import org.daig.api.task.Task;
import org.daig.coordinator.access.CoordinatorBlobAccess.Limits;
import org.daig.coordinator.service.Fixture;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.wire.VectorFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob plane's rules against a real (in-memory H2) coordinator database, as tables. The world:
 * alice's project A and bob's project B (3 parameters, 2 shards each, version 0); each uploaded a
 * file of its own. Provider prov-c leased a shard of B and let its deadline pass; prov-d leased the
 * other shard of B and gave it back; prov-a and prov-b hold live leases on A's two shards.
 */
class CoordinatorBlobAccessTest {

    private static final long MIB = 1 << 20;
    private static final Limits LIMITS = new Limits(64 * MIB, 10 * MIB, 2);
    private static final Identity SERVICE = new Identity("coordinator", Set.of(), Scope.SERVICE, null, "s", Long.MAX_VALUE);
    private static final Identity DEVICE_C = Fixture.device("vera", "prov-c");
    private static final Identity DEVICE_D = Fixture.device("vera", "prov-d");
    private static final Identity DEVICE_IDLE = Fixture.device("vera", "prov-idle");
    /** A volunteer's account that is also a requestor: its devices' uploads are not its own files. */
    private static final Identity BOTH = Fixture.person("vera", Role.VOLUNTEER, Role.REQUESTOR);

    @TempDir
    Path tmp;

    private Fixture fx;
    private Task taskA;
    private Task taskB;
    private Task expired;
    private String aliceFile;
    private String bobFile;
    private String projectA;

    static String id(String seed) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String project(String owner, String tag) throws Exception {
        ProjectRow row = fx.scheduler.create(new ProjectSpec(tag, id(tag + "-model"), id(tag + "-x"), id(tag + "-y"), 1, 8, 2, 2, 2, 0.1, 1,
                ProjectSpec.KBATCH_SYNC, 7), owner);
        fx.scheduler.prepared(row.id(), 3, 20, 2, id(tag + "-vx"), id(tag + "-vy"), List.of(new ShardRow(0, id(tag + "-x0"), id(tag + "-y0"), 10),
                new ShardRow(1, id(tag + "-x1"), id(tag + "-y1"), 10)), id(tag + "-params0"), id(tag + "-canonical"));
        return row.id();
    }

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        project("bob", "B"); // first: the scheduler offers its shards first
        projectA = project("alice", "A");
        CoordinatorBlobAccess access = fx.access(LIMITS);
        aliceFile = id("alice's file");
        bobFile = id("bob's file");
        access.uploaded(Fixture.ALICE, aliceFile, 60 * MIB);
        access.uploaded(Fixture.BOB, bobFile, MIB);
        expired = fx.scheduler.lease("prov-c", 0).orElseThrow();
        Task released = fx.scheduler.lease("prov-d", 0).orElseThrow();
        fx.now.addAndGet(59_000);
        taskA = fx.scheduler.lease("prov-a", 0).orElseThrow();
        taskB = fx.scheduler.lease("prov-b", 0).orElseThrow();
        assertTrue(fx.scheduler.release("prov-d", released.leaseId(), "test"));
        fx.now.addAndGet(2_000); // prov-c's deadline (60 s) has passed; prov-a's and prov-b's not
        assertEquals(projectA, taskA.projectId());
        assertEquals(projectA, taskB.projectId());
        assertTrue(expired.deadline() < fx.now.get() && taskA.deadline() > fx.now.get());
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private record Read(String who, Identity caller, String what, Supplier<String> blob, boolean allowed) {
    }

    private Stream<Read> reads() {
        return Stream.of(
                new Read("admin", Fixture.ADMIN, "A's model", () -> id("A-model"), true),
                new Read("admin", Fixture.ADMIN, "bob's file", () -> bobFile, true),
                new Read("alice", Fixture.ALICE, "her own file", () -> aliceFile, true),
                new Read("alice", Fixture.ALICE, "her project's model", () -> id("A-model"), true),
                new Read("alice", Fixture.ALICE, "her project's x", () -> id("A-x"), true),
                new Read("alice", Fixture.ALICE, "her project's validation y", () -> id("A-vy"), true),
                new Read("alice", Fixture.ALICE, "her project's shard", () -> id("A-y1"), true),
                new Read("alice", Fixture.ALICE, "her project's version 0", () -> id("A-params0"), true),
                new Read("alice", Fixture.ALICE, "bob's file (she knows its id)", () -> bobFile, false),
                new Read("alice", Fixture.ALICE, "bob's project's model", () -> id("B-model"), false),
                new Read("bob", Fixture.BOB, "alice's project's data", () -> id("A-x"), false),
                new Read("bob", Fixture.BOB, "alice's file", () -> aliceFile, false),
                new Read("a volunteer's person token", Fixture.VOLUNTEER, "A's model", () -> id("A-model"), false),
                new Read("prov-a", Fixture.DEVICE_A, "the model of its lease (the canonical form)", () -> taskA.model(), true),
                new Read("prov-a", Fixture.DEVICE_A, "the requestor's .h5 of its lease's project", () -> id("A-model"), false),
                new Read("prov-a", Fixture.DEVICE_A, "the parameters of its lease", () -> taskA.params(), true),
                new Read("prov-a", Fixture.DEVICE_A, "its shard's x", () -> taskA.x(), true),
                new Read("prov-a", Fixture.DEVICE_A, "its shard's y", () -> taskA.y(), true),
                new Read("prov-a", Fixture.DEVICE_A, "the shard of prov-b's task", () -> taskB.x(), false),
                new Read("prov-a", Fixture.DEVICE_A, "A's whole x", () -> id("A-x"), false),
                new Read("prov-a", Fixture.DEVICE_A, "A's validation x", () -> id("A-vx"), false),
                new Read("prov-a", Fixture.DEVICE_A, "B's model (no lease there)", () -> id("B-model"), false),
                new Read("prov-a", Fixture.DEVICE_A, "alice's file", () -> aliceFile, false),
                new Read("prov-c", DEVICE_C, "the model of its expired lease", () -> expired.model(), false),
                new Read("prov-c", DEVICE_C, "the shard of its expired lease", () -> expired.x(), false),
                new Read("prov-d", DEVICE_D, "B's model after it gave its lease back", () -> id("B-model"), false),
                new Read("a provider without a lease", DEVICE_IDLE, "A's model", () -> id("A-model"), false),
                new Read("the service token", SERVICE, "A's model", () -> id("A-model"), false),
                new Read("nobody", null, "A's model", () -> id("A-model"), false),
                new Read("alice", Fixture.ALICE, "a malformed id", () -> "A-model", false));
    }

    @TestFactory
    Stream<DynamicTest> whoReadsWhat() {
        return reads().map(r -> DynamicTest.dynamicTest(r.who() + (r.allowed() ? " reads " : " may not read ") + r.what(),
                () -> assertEquals(r.allowed(), fx.access(LIMITS).mayRead(r.caller(), r.blob().get()))));
    }

    /** Allowed, refused for its size or the quota (413), or refused outright (403). */
    private enum Verdict {
        ALLOWED, TOO_LARGE, FORBIDDEN
    }

    private record Upload(String who, Identity caller, String what, long bytes, Verdict verdict) {
    }

    private static final long DELTA = VectorFile.fileSize(3);

    private Stream<Upload> uploads() {
        return Stream.of(
                new Upload("alice", Fixture.ALICE, "a new 1 MiB file", MIB, Verdict.ALLOWED),
                new Upload("alice", Fixture.ALICE, "a file over the upload cap", 10 * MIB + 1, Verdict.TOO_LARGE),
                new Upload("alice", Fixture.ALICE, "4 MiB more (60 of 64 MiB stored)", 4 * MIB, Verdict.ALLOWED),
                new Upload("alice", Fixture.ALICE, "5 MiB more: past her quota", 5 * MIB, Verdict.TOO_LARGE),
                new Upload("bob", Fixture.BOB, "5 MiB (his quota is his own)", 5 * MIB, Verdict.ALLOWED),
                new Upload("admin", Fixture.ADMIN, "a 1 MiB file", MIB, Verdict.ALLOWED),
                new Upload("a volunteer's person token", Fixture.VOLUNTEER, "a file", 100, Verdict.FORBIDDEN),
                new Upload("the service token", SERVICE, "a file", 100, Verdict.FORBIDDEN),
                new Upload("nobody", null, "a file", 100, Verdict.FORBIDDEN),
                new Upload("prov-a", Fixture.DEVICE_A, "a delta of its project's size", DELTA, Verdict.ALLOWED),
                new Upload("prov-a", Fixture.DEVICE_A, "one byte more than a delta", DELTA + 1, Verdict.TOO_LARGE),
                new Upload("prov-a", Fixture.DEVICE_A, "1 MiB", MIB, Verdict.TOO_LARGE),
                new Upload("prov-c", DEVICE_C, "a delta after its lease expired", DELTA, Verdict.FORBIDDEN),
                new Upload("prov-d", DEVICE_D, "a delta after it gave its lease back", DELTA, Verdict.FORBIDDEN),
                new Upload("a provider without a lease", DEVICE_IDLE, "a delta", DELTA, Verdict.FORBIDDEN));
    }

    /** The verdict as the blob servlet reads it: a refusal a zero-byte upload would not get is about size. */
    private static Verdict verdict(CoordinatorBlobAccess access, Identity caller, String id, long bytes) {
        if (access.refuseUpload(caller, id, bytes).isEmpty()) {
            return Verdict.ALLOWED;
        }
        return access.refuseUpload(caller, id, 0).isEmpty() ? Verdict.TOO_LARGE : Verdict.FORBIDDEN;
    }

    @TestFactory
    Stream<DynamicTest> whoUploadsWhat() {
        return uploads().map(u -> DynamicTest.dynamicTest(u.who() + " uploading " + u.what() + ": " + u.verdict(),
                () -> assertEquals(u.verdict(), verdict(fx.access(LIMITS), u.caller(), id("new " + u.what()), u.bytes()))));
    }

    @Test
    void refusalsSayWhy() {
        CoordinatorBlobAccess access = fx.access(LIMITS);
        String quota = access.refuseUpload(Fixture.ALICE, id("x"), 5 * MIB).orElseThrow();
        assertTrue(quota.contains("quota exceeded") && quota.contains("uploadQuotaBytes"), quota);
        String delta = access.refuseUpload(Fixture.DEVICE_A, id("x"), DELTA + 1).orElseThrow();
        assertTrue(delta.contains("too large") && delta.contains(String.valueOf(DELTA)), delta);
        String noLease = access.refuseUpload(DEVICE_C, id("x"), 10).orElseThrow();
        assertTrue(noLease.contains("holds no task"), noLease);
        String role = access.refuseUpload(Fixture.VOLUNTEER, id("x"), 10).orElseThrow();
        assertTrue(role.contains("only requestors upload files"), role);
    }

    @Test
    void knowingAnIdIsNotEnoughButUploadingTheBytesMakesThemYours() {
        CoordinatorBlobAccess access = fx.access(LIMITS);
        assertFalse(access.mayRead(Fixture.BOB, aliceFile), "bob knows the id of alice's file");
        assertEquals(Optional.empty(), access.refuseUpload(Fixture.BOB, aliceFile, 2 * MIB), "he may upload the same bytes");
        assertFalse(access.mayRead(Fixture.BOB, aliceFile), "being let in to upload is not having uploaded");

        access.uploaded(Fixture.BOB, aliceFile, 2 * MIB);

        assertTrue(access.mayRead(Fixture.BOB, aliceFile));
        assertTrue(access.mayRead(Fixture.ALICE, aliceFile), "alice keeps hers");
        assertEquals(Verdict.ALLOWED, verdict(access, Fixture.ALICE, id("alice's next"), 4 * MIB), "bob's upload counts against bob only");
    }

    @Test
    void unfinishedUploadsCountAgainstTheQuotaUntilTheyComplete() {
        CoordinatorBlobAccess access = fx.access(LIMITS);
        String first = id("first");
        assertEquals(Optional.empty(), access.refuseUpload(Fixture.ALICE, first, 3 * MIB));
        assertEquals(Optional.empty(), access.refuseUpload(Fixture.ALICE, first, 3 * MIB), "the next chunk of the same upload");
        assertEquals(Verdict.TOO_LARGE, verdict(access, Fixture.ALICE, id("second"), 2 * MIB), "60 stored + 3 uploading + 2 > 64");

        access.uploaded(Fixture.ALICE, first, 3 * MIB);

        assertEquals(Verdict.TOO_LARGE, verdict(access, Fixture.ALICE, id("second"), 2 * MIB), "63 stored + 2 > 64");
        assertEquals(Verdict.ALLOWED, verdict(access, Fixture.ALICE, id("second"), MIB));
        assertEquals(Optional.empty(), access.refuseUpload(Fixture.ALICE, first, 3 * MIB), "her own blob again: counted once");

        fx.now.addAndGet(PendingUploads.IDLE_MILLIS + 1); // the unfinished "second" was abandoned
        assertEquals(Verdict.ALLOWED, verdict(access, Fixture.ALICE, id("third"), MIB));
    }

    @Test
    void aProviderUploadsAFewBlobsPerTaskItHolds() {
        CoordinatorBlobAccess access = fx.access(LIMITS); // 2 per lease
        for (String d : List.of("d1", "d2")) {
            assertEquals(Optional.empty(), access.refuseUpload(Fixture.DEVICE_A, id(d), DELTA));
            access.uploaded(Fixture.DEVICE_A, id(d), DELTA);
        }
        assertEquals(Verdict.FORBIDDEN, verdict(access, Fixture.DEVICE_A, id("d3"), DELTA));
        assertEquals(Optional.empty(), access.refuseUpload(Fixture.DEVICE_A, id("d2"), DELTA), "sending the same delta again");
        assertEquals(Verdict.ALLOWED, verdict(access, Fixture.DEVICE_B, id("d3"), DELTA), "another device counts apart");
        assertFalse(access.mayRead(BOTH, id("d1")), "a device's upload is not a file of its owner's account");
    }

    /** Only a provider's result may skip the fsync: everything else a power cut must not lose. */
    @Test
    void onlyTheResultOfATaskAProviderHoldsNeedNotBeDurable() {
        CoordinatorBlobAccess access = fx.access(LIMITS);
        assertFalse(access.mustBeDurable(Fixture.DEVICE_A, id("d1")), "prov-a holds a task: its upload is the task's result");
        assertTrue(access.mustBeDurable(DEVICE_C, id("d1")), "prov-c's lease lapsed: its upload is no result of a live task");
        assertTrue(access.mustBeDurable(DEVICE_IDLE, id("d1")), "a provider without a task (an expert's checkpoint, say)");
        assertTrue(access.mustBeDurable(Fixture.ALICE, id("alice's next file")), "a requestor's file");
        assertTrue(access.mustBeDurable(BOTH, id("d1")), "a volunteer's person token is not its device");
        assertTrue(access.mustBeDurable(SERVICE, id("d1")));
        assertTrue(access.mustBeDurable(null, id("d1")));
    }

    @Test
    void aLeaseThatEndsClosesItsBlobsAtOnce() throws Exception {
        CoordinatorBlobAccess access = fx.access(LIMITS);
        assertTrue(access.mayRead(Fixture.DEVICE_A, taskA.x()));
        fx.scheduler.release("prov-a", taskA.leaseId(), "test");
        assertFalse(access.mayRead(Fixture.DEVICE_A, taskA.x()));
        assertEquals(Verdict.FORBIDDEN, verdict(access, Fixture.DEVICE_A, id("late delta"), DELTA));
        assertTrue(access.mayRead(Fixture.DEVICE_B, taskB.x()), "prov-b's lease goes on");
        fx.scheduler.cancel(projectA);
        assertFalse(access.mayRead(Fixture.DEVICE_B, taskB.x()), "a cancelled project's leases end");
    }

    @Test
    void afterARestartTheLeasesInTheDatabaseOpenTheSameBlobs() throws Exception {
        fx.scheduler.load(); // what a restarted (or newly leading) coordinator does
        CoordinatorBlobAccess access = fx.access(LIMITS);
        for (String blob : List.of(taskA.model(), taskA.params(), taskA.x(), taskA.y())) {
            assertTrue(access.mayRead(Fixture.DEVICE_A, blob), blob);
        }
        assertFalse(access.mayRead(Fixture.DEVICE_A, taskB.x()), "still not another provider's shard");
        assertFalse(access.mayRead(DEVICE_C, expired.x()), "nor an expired lease's");
        assertFalse(access.mayRead(DEVICE_D, id("B-model")), "nor a lease given back");
        assertEquals(Verdict.ALLOWED, verdict(access, Fixture.DEVICE_A, id("d1"), DELTA));
        assertEquals(Verdict.TOO_LARGE, verdict(access, Fixture.DEVICE_A, id("d2"), DELTA + 1));
    }

    @Test
    void aRequestorReadsTheAcceptedDeltasOfHerProjectWhileItRunsAfterARestartAndOnceItHasEnded() throws Exception {
        String delta = id("prov-a's update");
        assertEquals(org.daig.api.task.TaskReply.Kind.ACCEPTED, fx.scheduler.submit("prov-a", new org.daig.api.task.TaskResult("r",
                taskA.leaseId(), projectA, taskA.round(), taskA.shard(), taskA.version(), delta, taskA.rows(), 0.5, 0.9, 1), 1).kind());
        CoordinatorBlobAccess access = fx.access(LIMITS);
        assertTrue(access.mayRead(Fixture.ALICE, delta), "her running project's accepted delta");
        assertFalse(access.mayRead(Fixture.BOB, delta), "not another requestor's");
        assertFalse(access.mayRead(Fixture.DEVICE_B, delta), "not another provider's");
        assertFalse(access.mayRead(Fixture.ALICE, id("an update nobody sent")), "not a delta her project never accepted");

        fx.scheduler.load(); // what a restarted coordinator does
        assertTrue(access.mayRead(Fixture.ALICE, delta), "after a restart");
        assertFalse(access.mayRead(Fixture.BOB, delta), "after a restart");

        fx.scheduler.cancel(projectA);
        assertTrue(access.mayRead(Fixture.ALICE, delta), "her cancelled project's delta");
        assertFalse(access.mayRead(Fixture.BOB, delta), "a finished project's delta is still only hers");
    }

    @Test
    void whenTheDatabaseCannotAnswerEverythingItWouldDecideIsRefused() {
        CoordinatorBlobAccess access = fx.access(LIMITS);
        fx.db.close();
        assertFalse(access.mayRead(Fixture.ALICE, aliceFile));
        assertFalse(access.mayRead(DEVICE_IDLE, id("A-model")), "a provider without a lease (its experts checkpoints are in the database)");
        assertTrue(access.refuseUpload(Fixture.ALICE, id("new"), 1).isPresent());
        assertTrue(access.mayRead(Fixture.ADMIN, aliceFile), "an admin's answer needs no database");
        // a live lease is the scheduler's, in memory: its provider goes on fetching what the lease needs
        assertTrue(access.mayRead(Fixture.DEVICE_A, taskA.x()));
    }
}
