package org.daig.ui.workbench.internal;

import java.nio.file.Path;
import java.util.List;

import org.daig.api.project.Problem;
import org.daig.api.project.ProjectChecks;
import org.daig.api.project.ProjectSpec;
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
        return ProjectChecks.beforeUpload(settings, model, x, y, launcher, new WorkerLimits("2g", 1, false));
    }
}
