package org.daig.provider.work;

import static org.daig.provider.work.Fakes.task;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.daig.api.task.Task;
import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.WorkerLimits;
import org.daig.provider.work.Fakes.FakeLauncher;
import org.daig.provider.work.Fakes.FakeWorker;
import org.daig.wire.VectorFile;
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
        TaskTrainer.Inputs inputs = new TaskTrainer.Inputs(Path.of("/cache/model"), Path.of("/cache/x"), Path.of("/cache/y"),
                vector("params.npy", params));
        TrainerClient.TrainResult answer = trainer.train(task, inputs);

        FakeWorker worker = launcher.last();
        assertSame(worker.answer.payload(), answer.delta(), "the worker's delta is the task's update");
        assertEquals(100, answer.samples());
        assertEquals(0.25, answer.loss());
        assertEquals(List.of("load", "train"), worker.events);
        assertEquals(Map.of("model", "/cache/model", "canonical", true), worker.fields.get(0), "the canonical form, never an .h5");
        assertEquals(Map.of("x", "/cache/x", "y", "/cache/y", "epochs", 2, "batch", 16, "seed", 42L), worker.fields.get(1));
        assertArrayEquals(params, worker.payloads.get(1));
        assertEquals(List.of(new WorkerLimits("1g", 2, true)), launcher.limits, "started with the policy's limits");
    }

    @Test
    void theWorkerStaysWarmBetweenTasksAndIsReplacedWhenItDied() throws Exception {
        TaskTrainer.Inputs inputs = new TaskTrainer.Inputs(Path.of("m"), Path.of("x"), Path.of("y"), vector("p.npy", new float[3]));
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

    @Test
    void parametersAnnouncingMoreValuesThanTheModelHasAreRefusedBeforeTraining() throws Exception {
        // a header promising 2 billion floats (8 GB) in a file of a few bytes: refused from the header alone
        Path huge = dir.resolve("huge.npy");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2000000000,), }";
        String padded = dict + " ".repeat(64 - (10 + dict.length() + 1) % 64) + "\n";
        byte[] header = padded.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length, (byte) (header.length >> 8) });
        bytes.write(header);
        Files.write(huge, bytes.toByteArray());

        IOException e = assertThrows(IOException.class,
                () -> trainer.train(task("p", 0, 0), new TaskTrainer.Inputs(Path.of("m"), Path.of("x"), Path.of("y"), huge)));

        assertTrue(e.getMessage().contains("holds 2000000000 values but the model has 3 parameters"), e.getMessage());
        assertEquals(List.of("load"), launcher.last().events, "nothing is trained with them");
        assertThrows(IOException.class, () -> trainer.train(task("p", 0, 0),
                new TaskTrainer.Inputs(Path.of("m"), Path.of("x"), Path.of("y"), vector("two.npy", new float[2]))),
                "fewer values than the model has are refused too");
    }

    private Path vector(String name, float[] values) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            VectorFile.write(out, values);
        }
        return file;
    }
}
