package org.daig.provider.work;

import static org.daig.provider.work.Fakes.task;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.daig.api.task.Task;
import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.WorkerLimits;
import org.daig.provider.work.Fakes.FakeLauncher;
import org.daig.provider.work.Fakes.FakeWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training in the warm worker, with a fake worker; downloads and uploads need a blob server and are left to the OSGi tests. */
class TaskTrainerTest {

    @TempDir
    Path dir;

    private final FakeLauncher launcher = new FakeLauncher();
    private final WarmWorker warm = new WarmWorker(launcher, () -> new WorkerLimits("1g", 2, true));
    private final TaskTrainer trainer = new TaskTrainer(dir, 1 << 20, dir, warm);

    @Test
    void aTaskLoadsItsModelThenTrainsWithItsSettingsAndParameters() throws Exception {
        Task task = task("p", 2, 0);
        float[] params = { 0.5f, -1f, 2f };
        TaskTrainer.Inputs inputs = new TaskTrainer.Inputs(Path.of("/cache/model"), Path.of("/cache/x"), Path.of("/cache/y"), params);
        TrainerClient.TrainResult answer = trainer.train(task, inputs);

        FakeWorker worker = launcher.last();
        assertSame(worker.answer.payload(), answer.delta(), "the worker's delta is the task's update");
        assertEquals(100, answer.samples());
        assertEquals(0.25, answer.loss());
        assertEquals(List.of("load", "train"), worker.events);
        assertEquals(Map.of("model", "/cache/model"), worker.fields.get(0));
        assertEquals(Map.of("x", "/cache/x", "y", "/cache/y", "epochs", 2, "batch", 16, "seed", 42L), worker.fields.get(1));
        assertArrayEquals(params, worker.payloads.get(1));
        assertEquals(List.of(new WorkerLimits("1g", 2, true)), launcher.limits, "started with the policy's limits");
    }

    @Test
    void theWorkerStaysWarmBetweenTasksAndIsReplacedWhenItDied() throws Exception {
        TaskTrainer.Inputs inputs = new TaskTrainer.Inputs(Path.of("m"), Path.of("x"), Path.of("y"), new float[1]);
        trainer.train(task("p", 0, 0), inputs);
        trainer.train(task("p", 1, 0), inputs);
        assertEquals(1, launcher.started.size(), "one JVM for both tasks");
        assertEquals(4242, warm.pid());

        launcher.last().alive = false;
        trainer.train(task("p", 2, 0), inputs);
        assertEquals(2, launcher.started.size(), "a dead worker is replaced");
        warm.kill();
        assertTrue(launcher.last().events.contains("kill"));
        assertEquals(-1, warm.pid());
    }

    @Test
    void aTaskWithoutABlobEndpointFailsWithAReason() {
        Task task = new Task("l", "p", 0, 0, 0, "m", "params", "x", "y", 1, 1, 1, 1, 0, null);
        IOException e = assertThrows(IOException.class, () -> trainer.download(task));
        assertTrue(e.getMessage().contains("did not say where its blobs are"), e.getMessage());
    }
}
