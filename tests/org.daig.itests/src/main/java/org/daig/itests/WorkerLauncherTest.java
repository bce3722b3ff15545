package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerDiedException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.junit.jupiter.api.Test;

/**
 * The launcher service inside Equinox starts a real Deeplearning4j worker JVM from the trainer
 * runtime, and a worker that dies mid-task is a failed call with a reason, not a dead framework.
 */
class WorkerLauncherTest {

    private final Grid grid = new Grid();

    private WorkerLauncher launcher() {
        return grid.service(WorkerLauncher.class, null).orElseThrow(() -> new AssertionError("no WorkerLauncher service"));
    }

    @Test
    void aWorkerLoadsARealKerasModelAndDiesCleanly() throws Exception {
        Path model = Path.of(System.getProperty("daig.shared.data", "../../../shared/data"), "keras/simple_mlp.h5");
        assumeTrue(Files.isRegularFile(model), "../shared/data is absent (" + model.toAbsolutePath() + "): skipping");
        try (Worker worker = launcher().start(new WorkerLimits("512m", 1, true))) {
            WorkerAnswer hello = worker.call("hello", Map.of(), new float[0]);
            assertTrue(String.valueOf(hello.fields().get("backend")).contains("Cpu"), hello.fields().toString());
            WorkerAnswer loaded = worker.call("load", Map.of("model", model.toString()), new float[0]);
            assertEquals(7114, (int) loaded.number("params"), "Dense(64, in 100) + Dense(10)");
            assertEquals(7114, worker.call("params", Map.of(), new float[0]).payload().length);

            worker.kill();
            WorkerDiedException died = assertThrows(WorkerDiedException.class, () -> worker.call("params", Map.of(), new float[0]));
            assertTrue(died.getMessage().contains("killed by signal 9"), died.getMessage());
            assertFalse(worker.isAlive());
        }
    }
}
