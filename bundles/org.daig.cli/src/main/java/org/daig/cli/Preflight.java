package org.daig.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.daig.api.project.Problem;
import org.daig.api.project.ProjectChecks;
import org.daig.api.project.ProjectSpec;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;

/**
 * Every problem the coordinator would find with a submission, found before anything is uploaded
 * and worded in the options' terms: the settings (ProjectChecks), the files, and the model and
 * data as a trainer worker reads them (the check the coordinator and the workbench run too).
 */
final class Preflight {

    /** The option that sets each {@link ProjectSpec} field. */
    private static final Map<String, String> OPTION_OF_FIELD = Map.ofEntries(Map.entry("name", "--name"),
            Map.entry("epochs", "--epochs"), Map.entry("batchSize", "--batch"), Map.entry("totalTasks", "--tasks"),
            Map.entry("taskSize", "--k (tasks per round)"), Map.entry("maxContributors", "--contributors"),
            Map.entry("validationRate", "--validation"), Map.entry("passes", "--passes"), Map.entry("strategy", "--strategy"),
            Map.entry("seed", "--seed"), Map.entry("model", "--model"), Map.entry("x", "--x"), Map.entry("y", "--y"),
            Map.entry("compression", "--compression"), Map.entry("maxStaleness", "--max-staleness"));

    private Preflight() {
    }

    /**
     * @param launcher starts the worker that reads the model and the data; asked only when the
     *                 files can be read
     */
    static List<String> problems(ProjectSpec settings, Path model, Path x, Path y, Supplier<WorkerLauncher> launcher, String heap) {
        // the launcher is made only when a worker is started: not at all when the files are missing
        List<Problem> problems = ProjectChecks.beforeUpload(settings, model, x, y, limits -> launcher.get().start(limits),
                new WorkerLimits(heap, 1, false));
        List<String> messages = new ArrayList<>();
        try {
            org.daig.wire.UpdateCodec.Compression.parse(settings.compression());
        } catch (IllegalArgumentException e) {
            messages.add("--compression: " + e.getMessage());
        }
        Map<String, Path> paths = Map.of("model", model, "x", x, "y", y);
        for (Problem p : problems) {
            Path file = paths.get(p.field());
            boolean namesItsFile = file != null && p.message().contains(file.getFileName().toString());
            // the worker's messages name the file already ("y.npy: label 3 is 3 but ..."); the rest get their option
            messages.add(namesItsFile || p.field().equals("data") ? p.message() : inOptionTerms(p));
        }
        return messages;
    }

    /** "--epochs must be at least 1": the problem's field as the option that sets it. */
    static String inOptionTerms(Problem p) {
        // ProjectChecks names the number of tasks for a form; on the command line it is --tasks
        return OPTION_OF_FIELD.getOrDefault(p.field(), p.field()) + " " + p.message().replace("the number of tasks", "--tasks");
    }
}
