package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.task.Task;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.daig.wire.VectorFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/** Preparation: the worker's cut becomes shard and validation blobs, its weights version 0, and the first round is offered. */
class ProjectPreparerTest {

    private static final float[] INITIAL = { 0.5f, -1f, 2f };
    private static final long[] SHARD_ROWS = { 4, 3, 3 };

    @TempDir
    Path tmp;

    private Fixture fx;
    private ProjectPreparer preparer;
    private ProjectSpec spec;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        preparer = new ProjectPreparer(fx, fx.trainer, fx.blobs, tmp.resolve("work"));
        spec = new ProjectSpec("digits", blob("model"), blob("features"), blob("labels"), 1, 8, 3, 3, 3, 0.2, 1, ProjectSpec.KBATCH_SYNC,
                7);
        fx.worker.answers.put("cut", cut(2));
        fx.worker.answers.put("load", f -> new WorkerAnswer(Map.of("params", 3.0, "outputs", 1.0), new float[0]));
        fx.worker.answers.put("params", f -> new WorkerAnswer(Map.of(), INITIAL.clone()));
        fx.worker.answers.put("export", f -> {
            try {
                Files.writeString(Path.of(String.valueOf(f.get("canonical"))), CANONICAL);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new WorkerAnswer(Map.of(), new float[0]);
        });
    }

    /** What the scripted trainer writes as the model's canonical form. */
    private static final String CANONICAL = "{\"format\": \"daig-model/1\"}";

    private String canonicalId() throws Exception {
        Path f = tmp.resolve("canonical-expected.json");
        Files.writeString(f, CANONICAL);
        return fx.blobs.importFile(f).id();
    }

    @AfterEach
    void tearDown() throws Exception {
        preparer.deactivate();
        fx.close();
    }

    /** The trainer deals shard i as the vector {i, i} (x) and {10 + i} (y), validation as {-1} and {-2}. */
    private static java.util.function.Function<Map<String, ?>, WorkerAnswer> cut(long validationRows) {
        return f -> {
            Path dir = Path.of(String.valueOf(f.get("dir")));
            try {
                Files.createDirectories(dir);
                for (int i = 0; i < SHARD_ROWS.length; i++) {
                    write(dir.resolve("x-" + i + ".npy"), i, i);
                    write(dir.resolve("y-" + i + ".npy"), 10 + i);
                }
                if (validationRows > 0) {
                    write(dir.resolve("x-val.npy"), -1);
                    write(dir.resolve("y-val.npy"), -2);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new WorkerAnswer(Map.of("rows", List.of(4.0, 3.0, 3.0), "validationRows", (double) validationRows), new float[0]);
        };
    }

    private String blob(String content) throws IOException {
        Path f = tmp.resolve(content);
        Files.writeString(f, content);
        return fx.blobs.importFile(f).id();
    }

    private static void write(Path file, float... values) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            VectorFile.write(out, values);
        }
    }

    private ProjectRow stored(String id) throws Exception {
        return fx.db.transaction(ProjectStore::projects).stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private List<ShardRow> shards(String id) throws Exception {
        return fx.db.transaction(c -> ProjectStore.shards(c, id));
    }

    private List<VersionRow> versions(String id) throws Exception {
        return fx.db.transaction(c -> ProjectStore.versions(c, id));
    }

    @Test
    void aProjectGetsABlobPerShardAValidationSetAndInitialWeightsAndItsFirstRoundIsOffered() throws Exception {
        ProjectRow created = fx.scheduler.create(spec);
        preparer.prepareNow(created);

        assertEquals(List.of("cut", "load", "export", "params"), fx.worker.calls);
        Map<String, ?> cut = fx.worker.fields.get(0);
        assertEquals(fx.blobs.file(spec.x()).toString(), cut.get("x"), "the requestor's features are cut");
        assertEquals(fx.blobs.file(spec.y()).toString(), cut.get("y"));
        assertEquals(3, cut.get("shards"), "one shard per task");
        assertEquals(0.2, cut.get("validationRate"));
        assertEquals(fx.blobs.file(spec.model()).toString(), fx.worker.fields.get(1).get("model"));

        ProjectRow row = stored(created.id());
        assertEquals(ProjectState.RUNNING, row.state());
        assertNull(row.message());
        assertEquals(3, row.paramCount());
        assertEquals(10, row.trainRows());
        assertEquals(2, row.validationRows());
        assertArrayEquals(new float[] { -1 }, fx.read(row.validationX(), 1));
        assertArrayEquals(new float[] { -2 }, fx.read(row.validationY(), 1));

        List<ShardRow> shards = shards(created.id());
        assertEquals(3, shards.size());
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ShardRow s = shards.get(i);
            assertEquals(i, s.shard());
            assertEquals(SHARD_ROWS[i], s.rows());
            assertArrayEquals(new float[] { i, i }, fx.read(s.x(), 2), "x of shard " + i);
            assertArrayEquals(new float[] { 10 + i }, fx.read(s.y(), 1), "y of shard " + i);
            distinct.add(s.x());
            distinct.add(s.y());
        }
        assertEquals(6, distinct.size(), "one blob per shard x and y");

        List<VersionRow> versions = versions(created.id());
        assertEquals(1, versions.size());
        assertEquals(0, versions.get(0).version());
        assertArrayEquals(INITIAL, fx.read(versions.get(0).paramsBlob(), 3), "version 0 is the model's own weights");

        Task task = fx.scheduler.lease("provider", 0).orElseThrow(() -> new AssertionError("the first round is not offered"));
        assertEquals(created.id(), task.projectId());
        assertEquals(0, task.round());
        assertEquals(versions.get(0).paramsBlob(), task.params());
        assertEquals(canonicalId(), row.canonicalModel(), "the canonical form is stored as a blob");
        assertEquals(row.canonicalModel(), task.model(), "providers are sent the canonical form, not the requestor's .h5");
        ShardRow leased = shards.get(task.shard());
        assertEquals(leased.x(), task.x());
        assertEquals(leased.rows(), task.rows());
        assertFalse(Files.exists(tmp.resolve("work").resolve("prepare").resolve(created.id())), "the cut files are cleaned up");
    }

    @Test
    void noValidationRowsMeansNoValidationBlobs() throws Exception {
        fx.worker.answers.put("cut", cut(0));
        ProjectRow created = fx.scheduler.create(spec);
        preparer.prepareNow(created);
        ProjectRow row = stored(created.id());
        assertEquals(ProjectState.RUNNING, row.state());
        assertEquals(0, row.validationRows());
        assertNull(row.validationX());
        assertNull(row.validationY());
        assertEquals(3, shards(created.id()).size());
    }

    @Test
    void aWorkerFailureMarksTheProjectFailedWithTheReasonAndNothingIsOffered() throws Exception {
        fx.worker.refusals.put("load", "the model file is not a Keras .h5");
        ProjectRow created = fx.scheduler.create(spec);
        preparer.prepareNow(created);

        ProjectRow row = stored(created.id());
        assertEquals(ProjectState.FAILED, row.state());
        assertEquals("preparing failed: the model file is not a Keras .h5", row.message());
        assertTrue(shards(created.id()).isEmpty(), "the shards cut before the failure are not recorded");
        assertTrue(versions(created.id()).isEmpty(), "no version 0");
        assertTrue(fx.scheduler.lease("provider", 0).isEmpty(), "nothing half-made is offered");
        assertFalse(Files.exists(tmp.resolve("work").resolve("prepare").resolve(created.id())), "the cut files are cleaned up");
    }

    @Test
    void aMissingCutFileFailsTheProject() throws Exception {
        fx.worker.answers.put("cut", f -> new WorkerAnswer(Map.of("rows", List.of(4.0), "validationRows", 0.0), new float[0]));
        ProjectRow created = fx.scheduler.create(spec);
        preparer.prepareNow(created);
        ProjectRow row = stored(created.id());
        assertEquals(ProjectState.FAILED, row.state());
        assertTrue(row.message().startsWith("preparing failed: "), row.message());
        assertTrue(fx.scheduler.lease("provider", 0).isEmpty());
    }

    @Test
    void onStartAProjectLeftInPreparingIsPreparedAgain() throws Exception {
        ProjectRow interrupted = fx.scheduler.create(spec);
        ProjectRow running = fx.scheduler.create(spec);
        fx.scheduler.prepared(running.id(), 3, 10, 0, null, null, List.of(new ShardRow(0, "a".repeat(64), "b".repeat(64), 10)),
                fx.vector(1, 2, 3), "c".repeat(64));
        CountDownLatch ready = new CountDownLatch(1);
        fx.listener = new Scheduler.Listener() {
            @Override
            public void versionCreated(ProjectRow project, VersionRow version) {
            }

            @Override
            public void stateChanged(ProjectRow project) {
                if (project.id().equals(interrupted.id()) && project.state() != ProjectState.PREPARING) {
                    ready.countDown();
                }
            }
        };
        ProjectPreparer started = new ProjectPreparer(context(tmp.resolve("data")), fx, fx.trainer, fx.blobs);
        try {
            assertTrue(ready.await(30, TimeUnit.SECONDS), "the interrupted project was not prepared again");
        } finally {
            started.deactivate();
        }
        assertEquals(ProjectState.RUNNING, stored(interrupted.id()).state());
        assertEquals(3, shards(interrupted.id()).size());
        assertEquals(List.of("cut", "load", "export", "params"), fx.worker.calls, "the running project was left alone");
        assertTrue(Files.isDirectory(tmp.resolve("data").resolve("coordinator").resolve("tmp")), "the data folder is the configured one");
    }

    @Test
    void onStartARunningProjectWithoutACanonicalModelGetsOne() throws Exception {
        ProjectRow old = fx.scheduler.create(spec);
        List<ShardRow> three = List.of(new ShardRow(0, "a".repeat(64), "b".repeat(64), 4), new ShardRow(1, "d".repeat(64), "e".repeat(64), 3),
                new ShardRow(2, "f".repeat(64), "0".repeat(64), 3));
        fx.scheduler.prepared(old.id(), 3, 10, 0, null, null, three, fx.vector(1, 2, 3), null);
        assertEquals(spec.model(), fx.scheduler.lease("provider", 0).orElseThrow().model(), "before: the .h5 (an old project)");
        ProjectPreparer started = new ProjectPreparer(context(tmp.resolve("data")), fx, fx.trainer, fx.blobs);
        try {
            started.awaitQueued();
        } finally {
            started.deactivate();
        }
        assertEquals(canonicalId(), stored(old.id()).canonicalModel());
        assertEquals(List.of("load", "export"), fx.worker.calls);
        fx.scheduler.release("provider", fx.scheduler.lease("provider", 0).orElseThrow().leaseId(), "test");
        assertEquals(canonicalId(), fx.scheduler.lease("provider-2", 0).orElseThrow().model(), "after: the canonical form");
    }

    /** A bundle context that only knows the data folder. */
    static BundleContext context(Path dataDir) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(), new Class<?>[] { BundleContext.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("getProperty") && "daig.data.dir".equals(args[0])) {
                        return dataDir.toString();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
