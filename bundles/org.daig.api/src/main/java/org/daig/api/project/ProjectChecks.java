package org.daig.api.project;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;

/**
 * The checks a project must pass before it is accepted, in one place for every caller: the
 * coordinator refuses a submission with them, and the CLI and the workbench run the same checks
 * before uploading anything. Each problem names the field it is about.
 */
public final class ProjectChecks {

    /** The most versions an asynchronous update may lag behind (a bound, not a default). */
    public static final int MAX_STALENESS = 1000;
    static final int MAX_COMPRESSION = 40;
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_EPOCHS = 10_000;
    public static final int MAX_BATCH_SIZE = 1 << 20;
    public static final int MAX_TASKS = 100_000;
    public static final int MAX_CONTRIBUTORS = 100_000;
    public static final int MAX_PASSES = 10_000;
    public static final double MAX_VALIDATION_RATE = 0.9;
    /** The largest learning rate a project may ask for (the trainer refuses 10 and above too). */
    public static final double MAX_LEARNING_RATE = 10;

    private ProjectChecks() {
    }

    /** The settings' own problems (not the strategy's availability, which only a coordinator knows). */
    public static List<Problem> settingsProblems(ProjectSpec s) {
        List<Problem> problems = new ArrayList<>();
        if (s.name() == null || s.name().isBlank()) {
            problems.add(new Problem("name", "must not be empty"));
        } else if (s.name().length() > MAX_NAME_LENGTH) {
            problems.add(new Problem("name", "must be at most " + MAX_NAME_LENGTH + " characters long"));
        }
        range(problems, "epochs", s.epochs(), MAX_EPOCHS);
        range(problems, "batchSize", s.batchSize(), MAX_BATCH_SIZE);
        range(problems, "totalTasks", s.totalTasks(), MAX_TASKS);
        if (s.taskSize() < 1 || s.taskSize() > Math.max(1, s.totalTasks())) {
            problems.add(new Problem("taskSize", "must be between 1 and the number of tasks (" + s.totalTasks() + ")"));
        }
        range(problems, "maxContributors", s.maxContributors(), MAX_CONTRIBUTORS);
        if (!(s.validationRate() >= 0 && s.validationRate() <= MAX_VALIDATION_RATE)) { // also refuses NaN
            problems.add(new Problem("validationRate", "must be a fraction from 0 to " + MAX_VALIDATION_RATE));
        }
        range(problems, "passes", s.passes(), MAX_PASSES);
        if (s.learningRate() != null && !(s.learningRate() > 0 && s.learningRate() < MAX_LEARNING_RATE)) { // also refuses NaN
            problems.add(new Problem("learningRate", "must be a number above 0 and below " + MAX_LEARNING_RATE + ", e.g. 0.001 "
                    + "(or left empty: the model file's)"));
        }
        if (s.maxStaleness() != null && !(s.maxStaleness() >= 0 && s.maxStaleness() <= MAX_STALENESS)) {
            problems.add(new Problem("maxStaleness", "must be a whole number from 0 to " + MAX_STALENESS + " (versions an update may lag "
                    + "behind), or left empty: " + ProjectSpec.DEFAULT_MAX_STALENESS));
        }
        if (s.compression() != null && s.compression().length() > MAX_COMPRESSION) {
            problems.add(new Problem("compression", "is " + s.compression().length() + " characters long; e.g. none, fp16, int8 or topk:0.001"));
        }
        return problems;
    }

    /** Problems with the three files themselves: not chosen, or not readable. */
    public static List<Problem> fileProblems(Path model, Path x, Path y) {
        List<Problem> problems = new ArrayList<>();
        files(model, x, y).forEach((field, file) -> {
            if (file == null) {
                problems.add(new Problem(field, "choose a file"));
            } else if (!Files.isReadable(file)) {
                problems.add(new Problem(field, file + " cannot be read (missing, or no permission)"));
            }
        });
        return problems;
    }

    /**
     * The model and data read by a trainer worker: every problem the worker finds, tied to the
     * file it names ("data" when it names none), and too many tasks for the training rows.
     *
     * @param hidePaths replace the files' paths by their field names in the messages (the
     *                  coordinator's blob files mean nothing to a requestor)
     */
    public static List<Problem> dataProblems(TrainerClient trainer, ProjectSpec settings, Path model, Path x, Path y,
            boolean hidePaths) {
        Map<String, Path> files = files(model, x, y);
        List<Problem> problems = new ArrayList<>();
        try {
            TrainerClient.DataCheck check = trainer.check(model, x, y, settings.compile());
            for (String message : check.problems()) {
                problems.add(attribute(message, files, hidePaths));
            }
            long train = check.rows() - (long) Math.floor(check.rows() * settings.validationRate());
            if (check.problems().isEmpty() && train < settings.totalTasks()) {
                problems.add(new Problem("totalTasks", "is " + settings.totalTasks() + " but only " + train
                        + " rows are left for training after validation: use at most " + train + " tasks"));
            }
        } catch (WorkerException e) {
            problems.add(new Problem("model", "could not be checked: " + e.getMessage()));
        }
        return problems;
    }

    /**
     * Everything a requestor's side can check before uploading, in one go: the settings, the
     * files, and — only when the files can be read — the model and data read by a worker started
     * with {@code limits} (and closed again). The CLI and the workbench both run this.
     */
    public static List<Problem> beforeUpload(ProjectSpec settings, Path model, Path x, Path y, WorkerLauncher launcher,
            WorkerLimits limits) {
        List<Problem> problems = new ArrayList<>(settingsProblems(settings));
        List<Problem> files = fileProblems(model, x, y);
        problems.addAll(files);
        if (files.isEmpty()) {
            try (Worker worker = launcher.start(limits)) {
                problems.addAll(dataProblems(new TrainerClient(worker), settings, model, x, y, false));
            } catch (IOException e) {
                problems.add(new Problem("model", "could not be checked: " + e.getMessage()));
            }
        }
        return problems;
    }

    private static Map<String, Path> files(Path model, Path x, Path y) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("model", model);
        files.put("x", x);
        files.put("y", y);
        return files;
    }

    private static Problem attribute(String message, Map<String, Path> files, boolean hidePaths) {
        String field = "data";
        String text = message;
        for (Map.Entry<String, Path> file : files.entrySet()) {
            String path = file.getValue().toString();
            String name = file.getValue().getFileName().toString();
            if (text.contains(path) || text.contains(name)) {
                field = field.equals("data") ? file.getKey() : field;
                if (hidePaths) {
                    text = text.replace(path, file.getKey()).replace(name, file.getKey());
                }
            }
        }
        return new Problem(field, text);
    }

    private static void range(List<Problem> problems, String field, int value, int max) {
        if (value < 1) {
            problems.add(new Problem(field, "must be at least 1"));
        } else if (value > max) {
            problems.add(new Problem(field, "must be at most " + max));
        }
    }
}
