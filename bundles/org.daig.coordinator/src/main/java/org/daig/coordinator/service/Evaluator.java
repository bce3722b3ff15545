package org.daig.coordinator.service;

import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.daig.api.blob.BlobStore;
import org.daig.api.bus.MessageBus;
import org.daig.api.project.Progress;
import org.daig.api.task.TaskTopics;
import org.daig.api.trainer.TrainerClient;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures each new version on the project's validation set in the trainer worker, stores the
 * figures and publishes the progress event (retained, so late subscribers see the latest). Runs
 * on its own executor: the scheduler does not wait for it.
 */
final class Evaluator implements Scheduler.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);

    private final ProjectRecords records;
    private final CoordinatorTrainer trainer;
    private final BlobStore blobs;
    private final VectorBlobs vectors;
    private final Supplier<MessageBus> bus;
    private final Executor executor;

    Evaluator(ProjectRecords records, CoordinatorTrainer trainer, BlobStore blobs, VectorBlobs vectors, Supplier<MessageBus> bus,
            Executor executor) {
        this.records = records;
        this.trainer = trainer;
        this.blobs = blobs;
        this.vectors = vectors;
        this.bus = bus;
        this.executor = executor;
    }

    @Override
    public void versionCreated(ProjectRow project, VersionRow version) {
        executor.execute(() -> evaluate(project, version));
    }

    @Override
    public void stateChanged(ProjectRow project) {
        LOG.debug("Project {} state {}", project.id(), project.state());
    }

    /** Queues the versions a restart left unevaluated. */
    void catchUp(ProjectRow project) throws java.sql.SQLException {
        if (project.validationRows() > 0) {
            for (VersionRow v : records.database().transaction(c -> ProjectStore.versions(c, project.id()))) {
                if (Double.isNaN(v.loss())) {
                    versionCreated(project, v);
                }
            }
        }
    }

    void evaluate(ProjectRow project, VersionRow version) {
        double loss = Double.NaN;
        double accuracy = Double.NaN;
        if (project.validationRows() > 0) {
            try {
                float[] params = vectors.read(version.paramsBlob(), project.paramCount());
                TrainerClient.Evaluation figures = trainer.use(t -> {
                    t.load(blobs.file(project.spec().model()), project.spec().compile());
                    return t.evaluate(TrainerClient.DataFiles.all(blobs.file(project.validationX()), blobs.file(project.validationY())),
                            params);
                });
                loss = figures.loss();
                accuracy = figures.accuracy();
                records.database().transaction(c -> {
                    ProjectStore.updateEvaluation(c, project.id(), version.version(), figures.loss(), figures.accuracy());
                    return null;
                });
            } catch (Exception e) {
                LOG.warn("Project {}: evaluating version {} failed: {}", project.id(), version.version(), e.getMessage());
            }
        }
        Progress progress = ProgressFigures.of(records.scheduler(), project, version, loss, accuracy);
        MessageBus current = bus.get();
        if (current != null) {
            current.publish(TaskTopics.progress(current.clientId(), project.id()), progress, true);
        }
        if (version.version() > 0) {
            LOG.info("Project {}: version {}/{}  validation loss {}  accuracy {}  ({} contributors, {} samples/s)", project.id(),
                    version.version(), project.totalRounds(), fmt(loss), fmt(accuracy), version.contributors(),
                    fmt(progress.samplesPerSecond()));
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
