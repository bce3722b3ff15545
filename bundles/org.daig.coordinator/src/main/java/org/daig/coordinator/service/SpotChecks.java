package org.daig.coordinator.service;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.daig.api.blob.BlobStore;
import org.daig.api.task.Task;
import org.daig.api.trainer.TrainerClient;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.schedule.Scheduler.PendingCheck;
import org.daig.coordinator.store.CheckStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spot checks: a task is reproducible from its shard, seed and starting version, so the
 * coordinator replays some accepted results in its own trainer worker and compares the updates.
 * Which ones: every result of a device until {@code spotCheckNewDevices} of its results passed,
 * then a random {@code spotCheckRate} of them (the volunteer cannot tell which). The round waits
 * for its replays; a result that does not replay is taken back with its credit, its task is
 * offered again, and its device is banned ({@link VolunteerReputation#checkFailed}).
 */
@Component(service = SpotChecks.class, immediate = true, configurationPid = ProjectServiceConfig.PID)
public class SpotChecks implements Scheduler.CheckPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(SpotChecks.class);

    private final ProjectRecords records;
    private final CoordinatorTrainer trainer;
    private final BlobStore blobs;
    private final VectorBlobs vectors;
    private final VolunteerReputation reputation;
    private final CoordinatorMetrics metrics;
    private final Executor replays;
    private final Random random;
    /** Checks passed by device: the database's counts, then counted here. */
    private final Map<String, Long> passed = new ConcurrentHashMap<>();
    private volatile double rate;
    private volatile int newDevices;
    private volatile double tolerance;

    @Activate
    public SpotChecks(BundleContext context, @Reference(name = "records") ProjectRecords records,
            @Reference(name = "trainer") CoordinatorTrainer trainer, @Reference(name = "blobs") BlobStore blobs,
            @Reference(name = "reputation") VolunteerReputation reputation, @Reference(name = "metrics") CoordinatorMetrics metrics,
            ProjectServiceConfig config) throws SQLException {
        this(records, trainer, blobs, reputation, metrics, new VectorBlobs(blobs, WorkDir.of(context).resolve("tmp")), new SecureRandom(),
                Executors.newSingleThreadExecutor(ProjectBook.named("daig-spot-checks")));
        modified(config);
        start();
    }

    /** @param replays where replays run, one at a time (the coordinator has one trainer worker) */
    SpotChecks(ProjectRecords records, CoordinatorTrainer trainer, BlobStore blobs, VolunteerReputation reputation,
            CoordinatorMetrics metrics, VectorBlobs vectors, Random random, Executor replays) throws SQLException {
        this.records = records;
        this.trainer = trainer;
        this.blobs = blobs;
        this.reputation = reputation;
        this.metrics = metrics;
        this.vectors = vectors;
        this.random = random;
        this.replays = replays;
        passed.putAll(records.database().transaction(CheckStore::passedByDevice));
    }

    /** Replays from now on, starting with the ones a restart left waiting. */
    void start() {
        records.scheduler().checkWith(this);
        records.scheduler().pendingChecks().forEach(this::queue);
    }

    @Modified
    void modified(ProjectServiceConfig config) {
        configure(config.spotCheckRate(), config.spotCheckNewDevices(), config.spotCheckTolerance());
    }

    void configure(double rate, int newDevices, double tolerance) {
        this.rate = rate;
        this.newDevices = newDevices;
        this.tolerance = tolerance;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        records.scheduler().checkWith(Scheduler.CheckPolicy.NONE);
        if (replays instanceof ExecutorService service) {
            service.shutdownNow();
            service.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public boolean select(String providerId) {
        return passed.getOrDefault(providerId, 0L) < newDevices || random.nextDouble() < rate;
    }

    /** Replays an accepted result, later, on the spot-check thread. */
    public void queue(PendingCheck check) {
        replays.execute(() -> run(check));
    }

    void run(PendingCheck check) {
        Task task = check.task();
        String where = "project " + task.projectId() + " round " + task.round() + " shard " + task.shard() + " from provider "
                + check.result().providerId();
        Verdict verdict;
        try {
            verdict = compare(replay(check), vectors.read(check.result().deltaBlob(), check.paramCount()), tolerance);
        } catch (Exception e) {
            // the coordinator's own trouble (a worker that died, a disk error) is no volunteer's fault
            LOG.warn("Could not replay the result of {}; it counts unchecked: {}", where, e.getMessage());
            decide(check, true, CheckStore.UNCHECKED);
            metrics.spotChecked("unchecked");
            return;
        }
        if (verdict.passed()) {
            LOG.info("Spot check passed: {} ({})", where, verdict.detail());
            passed.merge(check.result().providerId(), 1L, Long::sum);
            decide(check, true, CheckStore.PASSED);
            metrics.spotChecked("passed");
        } else {
            decide(check, false, null);
            metrics.spotChecked("failed");
            reputation.checkFailed(check.result().providerId(), task.projectId(), task.round(), task.shard(),
                    "the coordinator's replay of its task disagrees: " + verdict.detail());
            try {
                records.scheduler().banned(check.result().providerId());
            } catch (SQLException e) {
                LOG.warn("Ending the leases of banned provider {} failed: {}", check.result().providerId(), e.toString());
            }
        }
    }

    private void decide(PendingCheck check, boolean passed, String state) {
        try {
            records.scheduler().checked(check, passed, state);
        } catch (SQLException | RuntimeException e) {
            LOG.error("Recording the spot check of project {} round {} shard {} failed: {}", check.task().projectId(), check.task().round(),
                    check.task().shard(), e.toString());
        }
    }

    /** The update the task gives when the coordinator trains it. */
    private float[] replay(PendingCheck check) throws Exception {
        Task task = check.task();
        float[] params = vectors.read(task.params(), check.paramCount());
        return trainer.use(t -> {
            if (check.canonicalModel()) {
                t.loadCanonical(blobs.file(task.model()));
            } else {
                t.load(blobs.file(task.model()));
            }
            return t.train(new TrainerClient.TrainRequest(TrainerClient.DataFiles.all(blobs.file(task.x()), blobs.file(task.y())),
                    task.epochs(), task.batchSize(), task.seed()), params).delta();
        });
    }

    /** Whether a replay agrees with what the volunteer sent, and how closely. */
    record Verdict(boolean passed, String detail) {
    }

    static Verdict compare(float[] replayed, float[] sent, double tolerance) {
        if (Arrays.equals(replayed, sent)) {
            return new Verdict(true, "bit-exact");
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < replayed.length; i++) {
            double d = (double) replayed[i] - sent[i];
            diff += d * d;
            norm += (double) replayed[i] * replayed[i];
        }
        double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), Double.MIN_NORMAL);
        String detail = String.format(Locale.ROOT, "|replayed - sent| / |replayed| = %.3g, tolerance %.3g", relative, tolerance);
        return new Verdict(relative <= tolerance, detail);
    }
}
