package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.api.bus.MessageBus;
import org.daig.api.project.Progress;
import org.daig.api.project.ProjectSpec;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply.Kind;
import org.daig.api.task.TaskResult;
import org.daig.api.task.TaskTopics;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation: each new version is measured by the worker on the validation set with that
 * version's parameters; the figures are stored and published, and a failure costs only the figures.
 */
class EvaluatorTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private Evaluator evaluator;
    private ProjectViews views;
    private final Bus bus = new Bus();
    private String model;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, new Aggregation(new VectorBlobs(new Fixture.Blobs(tmp.resolve("blobs")), tmp.resolve("agg")),
                new MetricsCounters()));
        evaluator = new Evaluator(fx, fx.trainer, fx.blobs, new VectorBlobs(fx.blobs, tmp.resolve("tmp")), () -> bus, Runnable::run);
        fx.listener = evaluator;
        views = new ProjectViews(fx);
        Path f = tmp.resolve("model.h5");
        Files.writeString(f, "model");
        model = fx.blobs.importFile(f).id();
        fx.worker.answers.put("load", a -> new WorkerAnswer(Map.of("params", 2.0, "outputs", 1.0), new float[0]));
        // the loss is the first parameter, the accuracy a tenth of the second: the figures tell which parameters were used
        fx.worker.answers.put("evaluate", a -> {
            float[] params = fx.worker.payloads.get(fx.worker.payloads.size() - 1);
            return new WorkerAnswer(Map.of("loss", (double) params[0], "accuracy", params[1] / 10.0, "samples", 5.0), new float[0]);
        });
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** A running project of two one-task rounds with parameters {1, 1}; with or without 5 validation rows. */
    private ProjectRow project(boolean validation) throws Exception {
        ProjectRow row = fx.scheduler.create(new ProjectSpec("t", model, "a".repeat(64), "b".repeat(64), 1, 8, 2, 1, 1, 0.2, 1,
                ProjectSpec.KBATCH_SYNC, 7));
        List<ShardRow> shards = List.of(new ShardRow(0, "c".repeat(64), "d".repeat(64), 5), new ShardRow(1, "e".repeat(64), "f".repeat(64), 5));
        return fx.scheduler.prepared(row.id(), 2, 10, validation ? 5 : 0, validation ? fx.vector(7) : null, validation ? fx.vector(8) : null,
                shards, fx.vector(1, 1), null);
    }

    /** A provider trains the round's task and hands in {@code delta}: the round closes with version {@code params + delta}. */
    private Scheduler.Outcome trainRound(String delta) throws Exception {
        Task task = fx.scheduler.lease("provider", 0).orElseThrow();
        return fx.scheduler.submit("provider", new TaskResult("r", task.leaseId(), task.projectId(), task.round(), task.shard(),
                task.version(), delta, task.rows(), 0.4, 0.8, 1.0), 1.0);
    }

    @Test
    void eachVersionIsMeasuredWithItsOwnParametersOnTheValidationSetAndTheFiguresAreStoredAndPublished() throws Exception {
        ProjectRow row = project(true);
        assertEquals(Kind.ACCEPTED, trainRound(fx.vector(2, 4)).kind());

        assertEquals(List.of("load", "evaluate", "load", "evaluate"), fx.worker.calls);
        assertEquals(fx.blobs.file(model).toString(), fx.worker.fields.get(0).get("model"));
        Map<String, ?> evaluate = fx.worker.fields.get(1);
        assertEquals(fx.blobs.file(row.validationX()).toString(), evaluate.get("x"), "the validation features, not a shard");
        assertEquals(fx.blobs.file(row.validationY()).toString(), evaluate.get("y"));
        assertEquals(null, evaluate.get("from"), "all validation rows");
        assertArrayEquals(new float[] { 1, 1 }, fx.worker.payloads.get(1), "version 0's parameters");
        assertArrayEquals(new float[] { 3, 5 }, fx.worker.payloads.get(3), "version 1's parameters");

        List<Progress> versions = views.versions(row.id());
        assertEquals(2, versions.size());
        assertEquals(1.0, versions.get(0).loss(), 1e-6);
        assertEquals(0.1, versions.get(0).accuracy(), 1e-6);
        assertEquals(3.0, versions.get(1).loss(), 1e-6);
        assertEquals(0.5, versions.get(1).accuracy(), 1e-6);
        Progress latest = views.project(row.id()).orElseThrow().latest();
        assertEquals(1, latest.version());
        assertEquals(3.0, latest.loss(), 1e-6);

        assertEquals(2, bus.published.size());
        Published last = bus.published.get(1);
        assertEquals(TaskTopics.progress("coordinator-1", row.id()), last.topic());
        assertTrue(last.retained(), "late subscribers see the latest figures");
        Progress event = (Progress) last.message();
        assertEquals(1, event.version());
        assertEquals(3.0, event.loss(), 1e-6);
        assertEquals(0.5, event.accuracy(), 1e-6);
    }

    @Test
    void aProjectWithoutValidationRowsGetsNaNWithoutTheWorker() throws Exception {
        ProjectRow row = project(false);
        assertEquals(Kind.ACCEPTED, trainRound(fx.vector(2, 4)).kind());

        assertTrue(fx.worker.calls.isEmpty(), fx.worker.calls.toString());
        List<Progress> versions = views.versions(row.id());
        assertEquals(2, versions.size());
        versions.forEach(v -> assertTrue(Double.isNaN(v.loss()) && Double.isNaN(v.accuracy()), v.toString()));
        assertEquals(2, bus.published.size(), "the progress is still published");
        assertTrue(Double.isNaN(((Progress) bus.published.get(1).message()).loss()));
        assertEquals(1, views.project(row.id()).orElseThrow().latest().version(), "an unevaluable version still counts as the latest");
    }

    @Test
    void aWorkerErrorLeavesNaNAndTheRoundGoesOn() throws Exception {
        ProjectRow row = project(true);
        fx.worker.refusals.put("evaluate", "out of memory");
        Scheduler.Outcome first = trainRound(fx.vector(2, 4));

        assertEquals(Kind.ACCEPTED, first.kind(), first.message());
        List<Progress> versions = views.versions(row.id());
        assertEquals(2, versions.size(), "the round closed with its version");
        assertTrue(Double.isNaN(versions.get(1).loss()));
        assertTrue(Double.isNaN(versions.get(1).accuracy()));
        Task next = fx.scheduler.lease("provider", 0).orElseThrow(() -> new AssertionError("the next round is not offered"));
        assertEquals(1, next.round());
        assertEquals(versions.get(1).version(), next.version());
    }

    @Test
    void catchingUpAfterARestartEvaluatesOnlyTheVersionsWithoutFigures() throws Exception {
        ProjectRow row = project(true);
        fx.worker.refusals.put("evaluate", "the worker was restarting");
        assertEquals(Kind.ACCEPTED, trainRound(fx.vector(2, 4)).kind());
        fx.worker.refusals.clear();
        fx.worker.calls.clear();
        fx.worker.payloads.clear();

        ProjectRow stored = fx.db.transaction(ProjectStore::projects).stream().filter(r -> r.id().equals(row.id())).findFirst().orElseThrow();
        evaluator.catchUp(stored);

        assertEquals(List.of("load", "evaluate"), fx.worker.calls, "version 0 has its figures already");
        assertArrayEquals(new float[] { 3, 5 }, fx.worker.payloads.get(1));
        List<Progress> versions = views.versions(row.id());
        assertEquals(1.0, versions.get(0).loss(), 1e-6);
        assertEquals(3.0, versions.get(1).loss(), 1e-6);
        fx.worker.calls.clear();
        evaluator.catchUp(stored);
        assertTrue(fx.worker.calls.isEmpty(), "evaluated versions are not measured again");
    }

    private record Published(String topic, Object message, boolean retained) {
    }

    /** A connected bus that keeps what is published. */
    private static final class Bus implements MessageBus {
        final List<Published> published = new ArrayList<>();

        @Override
        public String role() {
            return "coordinator";
        }

        @Override
        public String clientId() {
            return "coordinator-1";
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public String brokerUrl() {
            return "tcp://localhost:1883";
        }

        @Override
        public boolean publish(String topic, Object message, boolean retained) {
            published.add(new Published(topic, message, retained));
            return true;
        }

        @Override
        public boolean clearRetained(String topic) {
            return true;
        }
    }
}
