package org.daig.coordinator.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.daig.api.blob.BlobStore;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.trainer.TrainerClient;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares projects one at a time in the background: the trainer worker deals the data into
 * shards and a validation set, the files become blobs, the model's weights become version 0, and
 * the scheduler starts the first round. Projects a restart interrupted are prepared again.
 */
@Component(service = Preparation.class, immediate = true)
public class ProjectPreparer implements Preparation {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectPreparer.class);

    private final ProjectRecords records;
    private final CoordinatorTrainer trainer;
    private final BlobStore blobs;
    private final Path workDir;
    private final ExecutorService background = Executors.newSingleThreadExecutor(ProjectBook.named("daig-prepare"));

    @Activate
    public ProjectPreparer(BundleContext context, @Reference(name = "records") ProjectRecords records,
            @Reference(name = "trainer") CoordinatorTrainer trainer, @Reference(name = "blobs") BlobStore blobs) throws SQLException {
        this(records, trainer, blobs, WorkDir.of(context));
        for (ProjectRow row : records.database().transaction(ProjectStore::projects)) {
            if (row.state() == ProjectState.PREPARING) {
                LOG.info("Project {} was being prepared when the coordinator stopped; preparing it again", row.id());
                prepare(row);
            } else if (row.canonicalModel() == null && (row.state() == ProjectState.RUNNING || row.state() == ProjectState.PAUSED)) {
                background.execute(() -> makeCanonical(row));
            }
        }
    }

    ProjectPreparer(ProjectRecords records, CoordinatorTrainer trainer, BlobStore blobs, Path workDir) {
        this.records = records;
        this.trainer = trainer;
        this.blobs = blobs;
        this.workDir = workDir;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        background.shutdownNow();
        background.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Waits until the work queued so far is done (tests; the queue runs one job at a time). */
    void awaitQueued() throws Exception {
        background.submit(() -> { }).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void prepare(ProjectRow project) {
        background.execute(() -> prepareNow(project));
    }

    /** Cuts the shards, stores them and the initial weights, then starts the first round. */
    void prepareNow(ProjectRow row) {
        Path dir = workDir.resolve("prepare").resolve(row.id());
        try {
            ProjectSpec spec = row.spec();
            Path x = blobs.file(spec.x());
            Path y = blobs.file(spec.y());
            Path model = blobs.file(spec.model());
            TrainerClient.ShardCut cut = trainer.use(t -> t.cut(new TrainerClient.CutRequest(x, y, spec.totalTasks(),
                    spec.validationRate(), dir)));
            List<ShardRow> shards = new ArrayList<>();
            long trainRows = 0;
            for (int i = 0; i < cut.shardRows().length; i++) {
                String shardX = blobs.importFile(dir.resolve("x-" + i + ".npy")).id();
                String shardY = blobs.importFile(dir.resolve("y-" + i + ".npy")).id();
                shards.add(new ShardRow(i, shardX, shardY, cut.shardRows()[i]));
                trainRows += cut.shardRows()[i];
            }
            long validationRows = cut.validationRows();
            String valX = validationRows > 0 ? blobs.importFile(dir.resolve("x-val.npy")).id() : null;
            String valY = validationRows > 0 ? blobs.importFile(dir.resolve("y-val.npy")).id() : null;
            Path canonicalFile = dir.resolve("model.daig.json");
            Initial initial = trainer.use(t -> {
                long count = t.load(model, row.spec().compile()).params();
                t.exportCanonical(canonicalFile);
                return new Initial(count, t.params());
            });
            String canonical = blobs.importFile(canonicalFile).id();
            String params = new VectorBlobs(blobs, workDir.resolve("tmp")).store(initial.weights());
            records.scheduler().prepared(row.id(), initial.params(), trainRows, validationRows, valX, valY, shards, params, canonical);
            LOG.info("Project {} prepared: {} shards of ~{} rows, {} validation rows, {} parameters", row.id(), shards.size(),
                    trainRows / Math.max(1, shards.size()), validationRows, initial.weights().length);
        } catch (Exception e) {
            LOG.error("Preparing project {} failed: {}", row.id(), e.getMessage());
            try {
                records.scheduler().fail(row.id(), "preparing failed: " + e.getMessage());
            } catch (SQLException | RuntimeException again) {
                LOG.error("Could not mark project {} failed: {}", row.id(), again.toString());
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** The canonical form of a project prepared before providers stopped reading .h5 files. */
    void makeCanonical(ProjectRow row) {
        Path dir = workDir.resolve("prepare").resolve(row.id());
        try {
            Files.createDirectories(dir);
            Path model = blobs.file(row.spec().model());
            Path canonicalFile = dir.resolve("model.daig.json");
            trainer.use(t -> {
                t.load(model, row.spec().compile());
                t.exportCanonical(canonicalFile);
                return null;
            });
            records.scheduler().canonicalModel(row.id(), blobs.importFile(canonicalFile).id());
            LOG.info("Project {}: made the canonical form of its model for providers", row.id());
        } catch (Exception e) {
            LOG.error("Project {}: cannot make the canonical form of its model, so providers cannot train it: {}", row.id(), e.getMessage());
        } finally {
            deleteTree(dir);
        }
    }

    /** The model's parameter count and its initial weights. */
    private record Initial(long params, float[] weights) {
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("Could not clean {}: {}", dir, e.toString());
        }
    }
}
