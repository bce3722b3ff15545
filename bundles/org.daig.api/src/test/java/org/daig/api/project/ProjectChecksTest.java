package org.daig.api.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.api.trainer.StubWorker;
import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectChecksTest {

    private static ProjectSpec settings(int epochs, int totalTasks, int taskSize) {
        return new ProjectSpec("mlp", null, null, null, epochs, 16, totalTasks, taskSize, 3, 0.1, 1, null, 1);
    }

    @Test
    void goodSettingsHaveNoProblems() {
        assertEquals(List.of(), ProjectChecks.settingsProblems(settings(2, 6, 3)));
        assertEquals(List.of(), ProjectChecks.settingsProblems(new ProjectSpec("a", null, null, null, 1, 1, 1, 1, 1, 0, 1, null, 0)));
        assertEquals(List.of(), ProjectChecks.settingsProblems(new ProjectSpec("a", null, null, null, 1, 1, 1, 1, 1, 0.9, 1, null, 0)));
    }

    @Test
    void everyWrongSettingIsNamedByItsField() {
        ProjectSpec wrong = new ProjectSpec(" ", null, null, null, 0, 0, 0, 2, 0, 0.95, 0, null, 1);

        assertEquals(List.of(new Problem("name", "must not be empty"), new Problem("epochs", "must be at least 1"),
                new Problem("batchSize", "must be at least 1"), new Problem("totalTasks", "must be at least 1"),
                new Problem("taskSize", "must be between 1 and the number of tasks (0)"), new Problem("maxContributors", "must be at least 1"),
                new Problem("validationRate", "must be a fraction from 0 to 0.9"), new Problem("passes", "must be at least 1")),
                ProjectChecks.settingsProblems(wrong));
    }

    /** A learning rate is optional (the model file's); given, it must be a usable number. */
    @Test
    void aLearningRateIsEmptyOrAPositiveNumber() {
        Problem wrong = new Problem("learningRate", "must be a number above 0 and below 10.0, e.g. 0.001 (or left empty: the model file's)");
        for (Double rate : new Double[] { Double.NaN, 0.0, -0.1, 10.0, Double.POSITIVE_INFINITY }) {
            assertEquals(List.of(wrong), ProjectChecks.settingsProblems(withRate(rate)), "learning rate " + rate);
        }
        assertEquals(List.of(), ProjectChecks.settingsProblems(withRate(null)));
        assertEquals(List.of(), ProjectChecks.settingsProblems(withRate(0.001)));
    }

    private static ProjectSpec withRate(Double rate) {
        return new ProjectSpec("a", null, null, null, 1, 1, 1, 1, 1, 0, 1, null, 0, "mse", "adam", rate);
    }

    @Test
    void theCoordinatorsUpperLimitsAreCheckedToo() {
        ProjectSpec huge = new ProjectSpec("x".repeat(201), null, null, null, 10_001, 1, 6, 7, 1, Double.NaN, 10_001, null, 1);

        assertEquals(List.of(new Problem("name", "must be at most 200 characters long"), new Problem("epochs", "must be at most 10000"),
                new Problem("taskSize", "must be between 1 and the number of tasks (6)"),
                new Problem("validationRate", "must be a fraction from 0 to 0.9"), new Problem("passes", "must be at most 10000")),
                ProjectChecks.settingsProblems(huge));
    }

    @Test
    void filesThatAreNotChosenOrCannotBeReadAreNamedByTheirField(@TempDir Path dir) throws IOException {
        Path model = Files.writeString(dir.resolve("m.h5"), "x");

        assertEquals(List.of(new Problem("x", "choose a file"),
                new Problem("y", dir.resolve("nope.npy") + " cannot be read (missing, or no permission)")),
                ProjectChecks.fileProblems(model, null, dir.resolve("nope.npy")));
    }

    @Test
    void theWorkersFindingsGoToTheFileTheyNameAndTooManyTasksForTheRowsIsOne() {
        Path model = Path.of("/in/model.h5");
        Path x = Path.of("/in/train_x.npy");
        Path y = Path.of("/in/train_y.npy");
        List<String> sent = new ArrayList<>();
        TrainerClient trainer = new TrainerClient(answering(sent, Map.of("problems", List.of("/in/train_y.npy has 3 labels for 4 samples",
                "the classes do not match"), "rows", 4.0)));

        List<Problem> problems = ProjectChecks.dataProblems(trainer, settings(1, 6, 1), model, x, y, false);

        assertEquals(List.of("check"), sent);
        assertEquals(List.of(new Problem("y", "/in/train_y.npy has 3 labels for 4 samples"), new Problem("data", "the classes do not match")),
                problems);
        assertEquals(List.of(new Problem("y", "y has 3 labels for 4 samples"), new Problem("data", "the classes do not match")),
                ProjectChecks.dataProblems(trainer, settings(1, 6, 1), model, x, y, true), "the coordinator hides its blob paths");

        TrainerClient clean = new TrainerClient(answering(sent, Map.of("problems", List.of(), "rows", 10.0)));
        assertEquals(List.of(new Problem("totalTasks", "is 10 but only 9 rows are left for training after validation: use at most 9 tasks")),
                ProjectChecks.dataProblems(clean, settings(1, 10, 1), model, x, y, false));
        assertEquals(List.of(), ProjectChecks.dataProblems(clean, settings(1, 9, 1), model, x, y, false));
    }

    @Test
    void aWorkerThatFailsIsAProblemOfTheModelNotAnException() {
        TrainerClient broken = new TrainerClient(new StubWorker((op, fields, payload) -> {
            throw new WorkerException("out of memory");
        }));

        assertEquals(List.of(new Problem("model", "could not be checked: out of memory")),
                ProjectChecks.dataProblems(broken, settings(1, 1, 1), Path.of("m.h5"), Path.of("x.npy"), Path.of("y.npy"), false));
    }

    @Test
    void beforeUploadStartsAWorkerOnlyForReadableFilesAndClosesIt(@TempDir Path dir) throws IOException {
        Path model = Files.writeString(dir.resolve("m.h5"), "m");
        Path x = Files.writeString(dir.resolve("x.npy"), "x");
        List<WorkerLimits> started = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        boolean[] closed = { false };
        WorkerLauncher launcher = limits -> {
            started.add(limits);
            return new StubWorker((op, fields, payload) -> {
                ops.add(op);
                return new WorkerAnswer(Map.of("problems", List.of(), "rows", 10.0), new float[0]);
            }) {
                @Override
                public void close() {
                    closed[0] = true;
                }
            };
        };
        WorkerLimits limits = new WorkerLimits("2g", 1, false);

        assertEquals(List.of(new Problem("epochs", "must be at least 1"), new Problem("y", "choose a file")),
                ProjectChecks.beforeUpload(settings(0, 9, 1), model, x, null, launcher, limits));
        assertEquals(List.of(), started, "no worker for files that are not there");

        assertEquals(List.of(), ProjectChecks.beforeUpload(settings(1, 9, 1), model, x, x, launcher, limits));
        assertEquals(List.of(limits), started);
        assertEquals(List.of("check"), ops);
        assertTrue(closed[0], "the worker is closed after the check");

        WorkerLauncher failing = l -> {
            throw new IOException("no trainer runtime at /opt/daig/worker");
        };
        assertEquals(List.of(new Problem("model", "could not be checked: no trainer runtime at /opt/daig/worker")),
                ProjectChecks.beforeUpload(settings(1, 9, 1), model, x, x, failing, limits));
    }

    private static Worker answering(List<String> ops, Map<String, Object> answer) {
        return new StubWorker((op, fields, payload) -> {
            ops.add(op);
            return new WorkerAnswer(answer, new float[0]);
        });
    }
}
