package org.daig.coordinator.service;

import java.io.IOException;

import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's trainer worker as a service. It starts the worker ahead of the first
 * submission, whose checks need it (a JVM and ND4J take seconds to start).
 */
@Component(service = CoordinatorTrainer.class, configurationPid = ProjectServiceConfig.PID)
public class TrainerWorker implements CoordinatorTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerWorker.class);

    private final TrainerSession session;

    @Activate
    public TrainerWorker(@Reference(name = "launcher") WorkerLauncher launcher, ProjectServiceConfig config) {
        session = new TrainerSession(launcher, limits(config));
        Thread prewarm = new Thread(this::prewarm, "daig-trainer-prewarm");
        prewarm.setDaemon(true);
        prewarm.start();
    }

    private static WorkerLimits limits(ProjectServiceConfig config) {
        return new WorkerLimits(config.workerHeap(), config.workerThreads(), false);
    }

    private void prewarm() {
        try {
            use(trainer -> trainer.hello());
        } catch (WorkerException | IOException e) {
            LOG.warn("The coordinator's trainer worker does not start: {} (projects cannot be checked until it does)", e.getMessage());
        }
    }

    /** Other settings of the PID change without restarting the worker (and every component that uses it). */
    @Modified
    void modified(ProjectServiceConfig config) {
        session.limits(limits(config));
    }

    @Override
    public <T> T use(Work<T> work) throws WorkerException, IOException {
        return session.use(work);
    }

    @Deactivate
    void deactivate() {
        session.close();
    }
}
