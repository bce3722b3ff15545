package org.daig.ui.workbench.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.daig.requestor.RequestorClient;
import org.daig.requestor.RequestorException;

/** Runs a project's model version on the requestor's inputs, in a trainer worker JVM. */
public final class Predictor {

    private final WorkerLauncher launcher;

    public Predictor(WorkerLauncher launcher) {
        this.launcher = launcher;
    }

    public void predict(RequestorClient client, String projectId, int version, Path input, Path output)
            throws IOException, RequestorException, WorkerException {
        Path model = Files.createTempFile("daig-predict", ".h5"); // the worker loads Keras files
        try (Worker worker = launcher.start(new WorkerLimits("2g", Math.max(1, Runtime.getRuntime().availableProcessors() / 2), false))) {
            client.download(projectId, version, "h5", model);
            TrainerClient trainer = new TrainerClient(worker);
            trainer.load(model);
            trainer.predict(input, output);
        } finally {
            Files.deleteIfExists(model);
        }
    }
}
