package org.daig.ui.workbench.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.api.project.Problem;
import org.daig.api.project.ProjectSpec;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.daig.requestor.RequestorClient;

/**
 * The checks the coordinator will make, made here before anything is uploaded: the settings, and
 * the model and data read by a trainer worker (the same {@code check} the coordinator runs), each
 * problem tied to the field it is about.
 */
public final class Preflight {

    private final WorkerLauncher launcher;

    public Preflight(WorkerLauncher launcher) {
        this.launcher = launcher;
    }

    public List<Problem> problems(ProjectSpec settings, Path model, Path x, Path y) {
        List<Problem> problems = new ArrayList<>(RequestorClient.settingsProblems(settings));
        Map<String, Path> files = new java.util.LinkedHashMap<>();
        files.put("model", model);
        files.put("x", x);
        files.put("y", y);
        boolean missing = false;
        for (Map.Entry<String, Path> f : files.entrySet()) {
            if (f.getValue() == null) {
                problems.add(new Problem(f.getKey(), "choose a file"));
                missing = true;
            } else if (!Files.isReadable(f.getValue())) {
                problems.add(new Problem(f.getKey(), f.getValue() + " cannot be read (missing, or no permission)"));
                missing = true;
            }
        }
        if (missing) {
            return problems;
        }
        try (Worker worker = launcher.start(new WorkerLimits("2g", 1, false))) {
            var answer = worker.call("check", Map.of("model", model.toString(), "x", x.toString(), "y", y.toString()), new float[0]);
            @SuppressWarnings("unchecked")
            List<String> found = (List<String>) answer.fields().getOrDefault("problems", List.of());
            for (String message : found) {
                problems.add(new Problem(fieldOf(message, files), message));
            }
            long rows = (long) answer.number("rows");
            long train = rows - (long) Math.floor(rows * settings.validationRate());
            if (found.isEmpty() && train < settings.totalTasks()) {
                problems.add(new Problem("totalTasks", "is " + settings.totalTasks() + " but only " + train
                        + " rows are left for training after validation: use at most " + train));
            }
        } catch (IOException | WorkerException e) {
            problems.add(new Problem("model", "could not be checked: " + e.getMessage()));
        }
        return problems;
    }

    /** The field a worker's message is about: the file it names, else the data as a whole. */
    private static String fieldOf(String message, Map<String, Path> files) {
        for (Map.Entry<String, Path> f : files.entrySet()) {
            if (message.contains(f.getValue().toString()) || message.contains(f.getValue().getFileName().toString())) {
                return f.getKey();
            }
        }
        return "data";
    }
}
