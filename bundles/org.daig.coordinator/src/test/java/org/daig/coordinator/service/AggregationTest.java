package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply.Kind;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.AsyncUpdates;
import org.daig.coordinator.schedule.LeaseGrants;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.daig.wire.ParamsDiff;
import org.daig.wire.UpdateCodec;
import org.daig.wire.VectorFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing a round: the project's strategy (K-batch sync SGD) turns the accepted deltas into the next version's exact parameters. */
class AggregationTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private Aggregation aggregation;
    private String project;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, new Scheduler.RoundCloser() {
            @Override
            public String aggregate(ProjectRow p, String current, List<ResultRow> results) throws Exception {
                return aggregation.aggregate(p, current, results);
            }

            @Override
            public Scheduler.Sent sent(ProjectRow p, String previousSent, String params) throws Exception {
                return aggregation.sent(p, previousSent, params);
            }
        });
        aggregation = new Aggregation(new VectorBlobs(fx.blobs, tmp.resolve("tmp")), fx.metrics);
    }

    /** One round of two tasks, on shards of 30 and 10 rows: the deltas weigh 3/4 and 1/4; version 0 is {1, 2, -1}. */
    private void create(String strategy) throws Exception {
        ProjectRow row = fx.scheduler.create(new ProjectSpec("t", "a".repeat(64), "b".repeat(64), "c".repeat(64), 1, 8, 2, 2, 2, 0.1, 1,
                strategy, 7));
        fx.scheduler.prepared(row.id(), 3, 40, 0, null, null,
                List.of(new ShardRow(0, "d".repeat(64), "e".repeat(64), 30), new ShardRow(1, "d".repeat(64), "e".repeat(64), 10)),
                fx.vector(1, 2, -1), null);
        project = row.id();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** Hands a result in with its delta's norm, as the intake measures it. */
    private Kind hand(String provider, Task task, float... delta) throws Exception {
        double norm = 0;
        for (float v : delta) {
            norm += (double) v * v;
        }
        return fx.scheduler.submit(provider, new TaskResult("r", task.leaseId(), task.projectId(), task.round(), task.shard(), task.version(),
                fx.vector(delta), task.rows(), 0.5, 0.9, 1.0), Math.sqrt(norm)).kind();
    }

    private List<VersionRow> versions() throws Exception {
        return fx.db.transaction(c -> ProjectStore.versions(c, project));
    }

    private ProjectRow stored() throws Exception {
        return fx.db.transaction(ProjectStore::projects).stream().filter(r -> r.id().equals(project)).findFirst().orElseThrow();
    }

    @Test
    void itOffersTheRegisteredStrategies() {
        assertEquals(List.of(ProjectSpec.KBATCH_SYNC, "async-apply", "async-queue", "async-lockfree"), List.copyOf(aggregation.strategies()));
        ProjectServiceConfig config = (ProjectServiceConfig) java.lang.reflect.Proxy.newProxyInstance(ProjectServiceConfig.class.getClassLoader(),
                new Class<?>[] { ProjectServiceConfig.class }, (proxy, method, args) -> method.getName().equals("aggregationShards") ? 2
                        : method.getDefaultValue());
        Aggregation activated = new Aggregation(ProjectPreparerTest.context(tmp.resolve("data")), fx.blobs, fx.metrics,
                new CheckedDeltas(config), config);
        assertEquals(Set.of(ProjectSpec.KBATCH_SYNC, "async-apply", "async-queue", "async-lockfree"), activated.strategies());
    }

    @Test
    void closingARoundStoresTheSampleWeightedMeanOfTheDeltasAddedToTheCurrentParameters() throws Exception {
        create(ProjectSpec.KBATCH_SYNC);
        Map<Integer, float[]> deltas = Map.of(0, new float[] { 4, 0, 8 }, 1, new float[] { 0, 8, -4 });
        Task a = fx.scheduler.lease("alice", 0).orElseThrow();
        Task b = fx.scheduler.lease("bob", 0).orElseThrow();
        // the later shard arrives first: the order of arrival must not matter
        Task first = a.shard() == 1 ? a : b;
        Task second = first == a ? b : a;
        assertEquals(Kind.ACCEPTED, hand(first == a ? "alice" : "bob", first, deltas.get(first.shard())));
        assertEquals(1, versions().size(), "no version before the round's last result");
        assertEquals(Kind.ACCEPTED, hand(second == a ? "alice" : "bob", second, deltas.get(second.shard())));

        List<VersionRow> versions = versions();
        assertEquals(2, versions.size());
        VersionRow next = versions.get(1);
        assertEquals(1, next.version());
        assertEquals(40, next.samples());
        // {1, 2, -1} + 3/4 {4, 0, 8} + 1/4 {0, 8, -4}
        assertArrayEquals(new float[] { 4, 4, 4 }, fx.read(next.paramsBlob(), 3));
        assertArrayEquals(new float[] { 1, 2, -1 }, fx.read(versions.get(0).paramsBlob(), 3), "version 0 is kept as it was");
        assertEquals(ProjectState.COMPLETED, stored().state());
        assertEquals(1, fx.metrics.rounds());
    }

    @Test
    void aRoundsCloseTakesTheDeltasTheIntakeKeptAndThenForgetsThem() throws Exception {
        CheckedDeltas checked = new CheckedDeltas(1 << 20);
        aggregation = new Aggregation(new VectorBlobs(fx.blobs, tmp.resolve("tmp")), fx.metrics, 1, 2, checked);
        create(ProjectSpec.KBATCH_SYNC);
        Map<Integer, float[]> deltas = Map.of(0, new float[] { 4, 0, 8 }, 1, new float[] { 0, 8, -4 });
        for (String provider : List.of("alice", "bob")) {
            Task task = fx.scheduler.lease(provider, 0).orElseThrow();
            float[] delta = deltas.get(task.shard());
            String blob = fx.vector(delta);
            checked.keep(blob, stored().spec().compression(), delta); // as the intake does once the delta is found sound
            fx.blobs.delete(blob); // the kept copy is the only one left: the close must not read the store
            assertEquals(Kind.ACCEPTED, fx.scheduler.submit(provider, new TaskResult("r", task.leaseId(), task.projectId(), task.round(),
                    task.shard(), task.version(), blob, task.rows(), 0.5, 0.9, 1.0), Math.sqrt(delta[0] * delta[0] + delta[1] * delta[1]
                    + delta[2] * delta[2])).kind());
        }
        List<VersionRow> versions = versions();
        assertEquals(2, versions.size(), "the round closed without reading the deleted blobs: " + stored().state());
        assertArrayEquals(new float[] { 4, 4, 4 }, fx.read(versions.get(1).paramsBlob(), 3));
        assertEquals(0, checked.bytes(), "the closed round's deltas are no longer kept");
    }

    /** Runs the round with these deltas for shards 0 (30 rows) and 1 (10 rows); returns the next version's parameters. */
    private float[] round(float[] shard0, float[] shard1) throws Exception {
        Task a = fx.scheduler.lease("alice", 0).orElseThrow();
        Task b = fx.scheduler.lease("bob", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, hand("alice", a, a.shard() == 0 ? shard0 : shard1));
        assertEquals(Kind.ACCEPTED, hand("bob", b, b.shard() == 0 ? shard0 : shard1));
        List<VersionRow> versions = versions();
        assertEquals(2, versions.size());
        return fx.read(versions.get(1).paramsBlob(), 3);
    }

    @Test
    void aVersionThatWouldBeAbsurdIsMadeWithoutTheDeltaThatMadeItSo() throws Exception {
        create(ProjectSpec.KBATCH_SYNC);
        // 3e38 is finite and passes the intake with only two results; mixed in it would put 7.5e37 into the model
        float[] next = round(new float[] { 4, 0, 8 }, new float[] { 3e38f, 3e38f, 3e38f });
        assertArrayEquals(new float[] { 5, 2, 7 }, next, "{1, 2, -1} + the one sound delta, now all of the round's weight");
        assertEquals(ProjectState.COMPLETED, stored().state());
    }

    @Test
    void aProjectsStrategyMayNameARobustRule() throws Exception {
        create("kbatch-sync/median");
        // the coordinate-wise median of {4, 0, 8} and {0, 8, -4} is {2, 4, 2}, unweighted
        assertArrayEquals(new float[] { 3, 6, 1 }, round(new float[] { 4, 0, 8 }, new float[] { 0, 8, -4 }));
    }

    @Test
    void aDeltaTheStrategyCannotUseFailsTheProjectWithTheReason() throws Exception {
        create(ProjectSpec.KBATCH_SYNC);
        Task a = fx.scheduler.lease("alice", 0).orElseThrow();
        Task b = fx.scheduler.lease("bob", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, hand("alice", a, 1, 1, 1));
        assertEquals(Kind.ACCEPTED, hand("bob", b, 1, 1), "the scheduler was told the delta is sound");

        ProjectRow row = stored();
        assertEquals(ProjectState.FAILED, row.state());
        assertTrue(row.message().startsWith("aggregating round 0 failed: "), row.message());
        assertEquals(1, versions().size(), "no version from a failed aggregation");
        assertEquals(0, fx.metrics.rounds());
    }

    /**
     * A power cut can lose an accepted delta the disk had not written yet (providers' updates are
     * not forced to disk, docs/operations.md, "Durability"): its file is gone, or holds fewer
     * bytes. The round's close takes that result back, without blaming its provider, and
     * offers its task again; the project goes on.
     */
    @Test
    void aDeltaTheStoreLostIsTakenBackAndItsTaskOfferedAgain() throws Exception {
        for (boolean truncated : new boolean[] { false, true }) {
            String alice = truncated ? "alice2" : "alice";
            String bob = truncated ? "bob2" : "bob";
            String carol = truncated ? "carol2" : "carol";
            create(ProjectSpec.KBATCH_SYNC);
            Task a = fx.scheduler.lease(alice, 0).orElseThrow();
            Task b = fx.scheduler.lease(bob, 0).orElseThrow();
            float[] aliceDelta = a.shard() == 0 ? new float[] { 4, 0, 8 } : new float[] { 0, 8, -4 };
            String aliceBlob = fx.vector(aliceDelta);
            assertEquals(Kind.ACCEPTED, hand(alice, a, aliceDelta));
            if (truncated) {
                java.nio.file.Files.write(fx.blobs.file(aliceBlob), new byte[] { (byte) 0x93, 'N', 'U', 'M' }); // what a lost write leaves
            } else {
                fx.blobs.delete(aliceBlob);
            }
            assertEquals(Kind.ACCEPTED, hand(bob, b, b.shard() == 0 ? new float[] { 4, 0, 8 } : new float[] { 0, 8, -4 }));

            ProjectRow row = stored();
            assertEquals(ProjectState.RUNNING, row.state(), "the project goes on: " + row.message());
            assertEquals(1, versions().size(), "no version without alice's shard");
            assertTrue(fx.blobs.find(aliceBlob).isEmpty(), "what was left of the lost delta is removed, so the same bytes can be stored again");
            List<String> credited = fx.db.transaction(ProjectStore::credits).stream().map(c -> c.providerId()).toList();
            assertFalse(credited.contains(alice), "alice's result is taken back with its credit: " + credited);
            assertTrue(credited.contains(bob), "bob's result stays: " + credited);
            Task again = fx.scheduler.lease(carol, 0).orElseThrow();
            assertEquals(a.shard(), again.shard(), "the task is offered again");
            assertEquals(Kind.ACCEPTED, hand(carol, again, aliceDelta));
            assertArrayEquals(new float[] { 4, 4, 4 }, fx.read(versions().get(1).paramsBlob(), 3), "the round closes with carol's delta");
            assertEquals(ProjectState.COMPLETED, stored().state());
        }
    }

    /** The same for an async-queue project: a queued update whose delta was lost before it was applied. */
    @Test
    void aQueuedUpdateWhoseDeltaTheStoreLostIsTakenBackAndItsTaskOfferedAgain() throws Exception {
        create(AsyncUpdates.QUEUE);
        List<Runnable> applying = new java.util.ArrayList<>();
        fx.scheduler.applyWith(applying::add);
        Task a = fx.scheduler.lease("alice", 0).orElseThrow();
        float[] delta = { 4, 0, 8 };
        String blob = fx.vector(delta);
        assertEquals(Kind.ACCEPTED, hand("alice", a, delta), "answered at once, applied afterwards");
        fx.blobs.delete(blob);
        applying.forEach(Runnable::run);

        assertEquals(ProjectState.RUNNING, stored().state(), "the project goes on: " + stored().message());
        assertEquals(1, versions().size(), "no version from the lost update");
        assertTrue(fx.db.transaction(ProjectStore::credits).isEmpty(), "alice's result is taken back with its credit");
        Task again = fx.scheduler.lease("bob", 0).orElseThrow();
        assertEquals(a.round(), again.round(), "its task is offered again");
        applying.clear();
        assertEquals(Kind.ACCEPTED, hand("bob", again, delta));
        applying.forEach(Runnable::run);
        assertEquals(2, versions().size(), "bob's update made the next version");
    }

    /**
     * A compressed project sends parameters down as differences: each task names the chain of
     * differences that leads to its parameters, a provider holding version 0 rebuilds them from
     * those alone (the blob id checks it), and only the lease holder may read the differences.
     */
    @Test
    void aCompressedProjectsTasksNameTheDifferencesThatRebuildTheirParameters() throws Exception {
        ProjectRow row = fx.scheduler.create(new ProjectSpec("t", "a".repeat(64), "b".repeat(64), "c".repeat(64), 1, 8, 2, 2, 2, 0.1, 4,
                ProjectSpec.KBATCH_SYNC, 7, null, null, null, "fp16", null));
        project = row.id();
        String initial = fx.vector(1, 2, -1);
        fx.scheduler.prepared(project, 3, 40, 0, null, null,
                List.of(new ShardRow(0, "d".repeat(64), "e".repeat(64), 30), new ShardRow(1, "d".repeat(64), "e".repeat(64), 10)), initial,
                null);
        assertNull(fx.scheduler.lease("alice", 0).orElseThrow().paramsDiffs(), "version 0 goes whole");
        for (int v = 0; v < 3; v++) {
            for (String provider : List.of("alice", "bob")) { // the round's mean (3/4 and 1/4) is no fp16 number
                Task t = fx.scheduler.lease(provider, 0).orElseThrow();
                float[] delta = provider.equals("alice") ? new float[] { 0.001f * (v + 1), -0.3333f, 0.5f }
                        : new float[] { 0.1f * (v + 1), 0.2f, 0.7f };
                TaskResult result = new TaskResult("r", t.leaseId(), project, t.round(), t.shard(), t.version(),
                        fx.bytes(UpdateCodec.encode(delta, UpdateCodec.Compression.parse("fp16"))), t.rows(), 0.5, 0.9, 1.0);
                assertEquals(Kind.ACCEPTED, fx.scheduler.submit(provider, result, 0.6).kind());
            }
        }
        Task task = fx.scheduler.lease("alice", 0).orElseThrow();
        assertEquals(3, task.version());
        assertEquals(3, task.paramsDiffs().size(), "versions 1 to 3");
        VersionRow three = versions().get(3);
        assertEquals(three.sentBlob(), task.params(), "providers train from the parameters as sent");
        assertNotEquals(three.paramsBlob(), three.sentBlob(), "fp16 rounded the differences");

        float[] rebuilt = fx.read(initial, 3);
        for (String diff : task.paramsDiffs()) {
            try (java.io.InputStream in = fx.blobs.open(diff, 0)) {
                ParamsDiff.apply(rebuilt, in.readAllBytes(), UpdateCodec.Compression.parse("fp16"));
            }
        }
        java.io.ByteArrayOutputStream npy = new java.io.ByteArrayOutputStream();
        VectorFile.write(npy, rebuilt);
        assertEquals(task.params(), java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(npy.toByteArray())), "rebuilt from version 0 and the differences, byte for byte");
        float[] exact = fx.read(three.paramsBlob(), 3);
        assertArrayEquals(exact, rebuilt, 0.002f, "and within fp16's rounding of the exact version");

        long now = fx.now.get();
        LeaseGrants grants = fx.scheduler.grants();
        for (String diff : task.paramsDiffs()) {
            assertTrue(grants.mayRead("alice", diff, now), "the lease holder reads its differences");
            assertFalse(grants.mayRead("mallory", diff, now), "nobody else does");
        }
        assertFalse(grants.mayRead("alice", three.paramsBlob(), now), "the exact parameters are not sent to providers");
    }
}
