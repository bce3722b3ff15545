package org.daig.ui.workbench.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.daig.api.project.Problem;
import org.daig.api.project.ProjectChecks;
import org.daig.api.project.ProjectSpec;
import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;

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
        List<Problem> problems = new ArrayList<>(ProjectChecks.settingsProblems(settings));
        List<Problem> files = ProjectChecks.fileProblems(model, x, y);
        problems.addAll(files);
        if (!files.isEmpty()) {
            return problems;
        }
        try (Worker worker = launcher.start(new WorkerLimits("2g", 1, false))) {
            problems.addAll(ProjectChecks.dataProblems(new TrainerClient(worker), settings, model, x, y, false));
        } catch (IOException e) {
            problems.add(new Problem("model", "could not be checked: " + e.getMessage()));
        }
        return problems;
    }
}
