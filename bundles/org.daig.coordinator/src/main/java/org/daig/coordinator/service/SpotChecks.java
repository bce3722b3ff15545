package org.daig.coordinator.service;

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
import java.util.function.IntSupplier;

import org.daig.api.blob.BlobStore;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.daig.api.task.Task;
import org.daig.api.trainer.TrainerClient;
import org.daig.coordinator.schedule.OwnRandom;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.schedule.Scheduler.PendingCheck;
import org.daig.coordinator.store.CheckStore;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.wire.UpdateCodec;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks of accepted results before their round may close. Spot checks: a task is reproducible
 * from its shard, seed and starting version, so the coordinator replays some results in its own
 * trainer worker and compares the updates: every result of a device until
 * {@code spotCheckNewDevices} of them passed, then a random {@code spotCheckRate} (the volunteer
 * cannot tell which). Replication, BOINC's way: a random {@code replicationRate} of tasks goes to a
 * second volunteer as well, and the two updates must agree (a replay settles a disagreement). A
 * result that fails is taken back with its credit, its task is offered again, and its device is
 * banned ({@link VolunteerReputation#checkFailed}).
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
    private volatile double replication;
    private final IntSupplier onlineProviders;
    /** Optional and dynamic: the provider tracker reaches this component through the task desk. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ProviderDirectory directory;

    @Activate
    public SpotChecks(BundleContext context, @Reference(name = "records") ProjectRecords records,
            @Reference(name = "trainer") CoordinatorTrainer trainer, @Reference(name = "blobs") BlobStore blobs,
            @Reference(name = "reputation") VolunteerReputation reputation, @Reference(name = "metrics") CoordinatorMetrics metrics,
            ProjectServiceConfig config) throws SQLException {
        this(records, trainer, blobs, reputation, metrics, new VectorBlobs(blobs, WorkDir.of(context).resolve("tmp")), OwnRandom.create(),
                Executors.newSingleThreadExecutor(ProjectBook.named("daig-spot-checks")), null);
        modified(config);
        start();
    }

    /** @param replays where replays run, one at a time (the coordinator has one trainer worker) */
    /** @param onlineProviders how many providers are online (null: the provider directory's count) */
    SpotChecks(ProjectRecords records, CoordinatorTrainer trainer, BlobStore blobs, VolunteerReputation reputation,
            CoordinatorMetrics metrics, VectorBlobs vectors, Random random, Executor replays, IntSupplier onlineProviders) throws SQLException {
        this.records = records;
        this.trainer = trainer;
        this.blobs = blobs;
        this.reputation = reputation;
        this.metrics = metrics;
        this.vectors = vectors;
        this.random = random;
        this.replays = replays;
        this.onlineProviders = onlineProviders != null ? onlineProviders : () -> {
            ProviderDirectory d = directory;
            return d == null ? 0 : (int) d.providers().stream().filter(ProviderInfo::online).count();
        };
        passed.putAll(records.database().transaction(CheckStore::passedByDevice));
    }

    /** Replays from now on, starting with the ones a restart left waiting. */
    void start() {
        records.scheduler().checkWith(this);
        records.scheduler().pendingChecks().forEach(this::queue);
    }

    @Modified
    void modified(ProjectServiceConfig config) {
        configure(config.spotCheckRate(), config.spotCheckNewDevices(), config.spotCheckTolerance(), config.replicationRate());
    }

    void configure(double rate, int newDevices, double tolerance, double replication) {
        this.rate = share("spotCheckRate", rate);
        this.newDevices = Math.max(0, newDevices);
        this.replication = share("replicationRate", replication);
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            // a negative tolerance would fail every replay and ban every honest volunteer
            LOG.warn("spotCheckTolerance={} in {} is not a number from 0 up; using 0.01", tolerance, ProjectServiceConfig.PID);
            this.tolerance = 0.01;
        } else {
            this.tolerance = tolerance;
        }
    }

    /** A share from 0 to 1; anything else is said in the log and brought into range. */
    private static double share(String key, double value) {
        double clamped = Double.isNaN(value) ? 0 : Math.max(0, Math.min(1, value));
        if (clamped != value) {
            LOG.warn("{}={} in {} is not a share from 0 to 1; using {}", key, value, ProjectServiceConfig.PID, clamped);
        }
        return clamped;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        records.scheduler().checkWith(Scheduler.CheckPolicy.OFF);
        if (replays instanceof ExecutorService service) {
            service.shutdownNow();
            service.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public Scheduler.Verification select(String providerId) {
        // replication needs a second volunteer: with one provider online the round would wait for nobody
        if (replication > 0 && onlineProviders.getAsInt() >= 2 && random.nextDouble() < replication) {
            return Scheduler.Verification.REPLICA;
        }
        boolean replay = passed.getOrDefault(providerId, 0L) < newDevices || random.nextDouble() < rate;
        return replay ? Scheduler.Verification.REPLAY : Scheduler.Verification.NONE;
    }

    /** Checks an accepted result, later, on the check thread. */
    public void queue(PendingCheck check) {
        replays.execute(() -> run(check));
    }

    void run(PendingCheck check) {
        if (compression(check).encoding() == UpdateCodec.Encoding.TOPK) {
            // a sparsified update is the top of (update + what the provider still owed from earlier tasks): no replay can match it
            LOG.info("Not checking {}: its project sparsifies updates (topk), which carry the provider's residual", where(check,
                    check.result()));
            decide(check, true, CheckStore.UNCHECKED);
            if (check.replica() != null) {
                replicaDecided(check, true);
            }
            metrics.spotChecked("unchecked");
            return;
        }
        if (check.replica() != null) {
            compareReplicas(check);
            return;
        }
        Verdict verdict;
        try {
            verdict = judge(replay(check), check.result(), delta(check, check.result()), compression(check));
        } catch (Exception e) {
            // the coordinator's own trouble (a worker that died, a disk error) is no volunteer's fault
            LOG.warn("Could not replay the result of {}; it counts unchecked: {}", where(check, check.result()), e.getMessage());
            decide(check, true, CheckStore.UNCHECKED);
            metrics.spotChecked("unchecked");
            return;
        }
        settle(check, verdict);
    }

    /** The first result of a replicated task as its replay (or its replica) judged it. */
    private void settle(PendingCheck check, Verdict verdict) {
        if (verdict.passed()) {
            LOG.info("Spot check passed: {} ({})", where(check, check.result()), verdict.detail());
            passed.merge(check.result().providerId(), 1L, Long::sum);
            decide(check, true, CheckStore.PASSED);
            metrics.spotChecked("passed");
        } else {
            decide(check, false, null);
            metrics.spotChecked("failed");
            ban(check, check.result(), verdict);
        }
    }

    /**
     * Replication: two volunteers did the same task. If their updates agree, both count. If not,
     * the coordinator's replay says who is right, and whoever disagrees with it is taken back and
     * banned (both, if both do).
     */
    private void compareReplicas(PendingCheck check) {
        Verdict agreement;
        try {
            boolean exact = compression(check).none() && sameRun(check.result().threads(), check.result().runtime(), check.replica());
            agreement = compare(delta(check, check.result()), delta(check, check.replica()), exact ? 0
                    : tolerance + 2 * allowance(compression(check)));
        } catch (Exception e) {
            LOG.warn("Could not compare the two results of {}; both count unchecked: {}", where(check, check.result()), e.getMessage());
            decide(check, true, CheckStore.UNCHECKED);
            replicaDecided(check, true);
            metrics.spotChecked("unchecked");
            return;
        }
        if (agreement.passed()) {
            LOG.info("Replicas agree: {} and provider {} ({})", where(check, check.result()), check.replica().providerId(), agreement.detail());
            passed.merge(check.result().providerId(), 1L, Long::sum);
            passed.merge(check.replica().providerId(), 1L, Long::sum);
            decide(check, true, CheckStore.PASSED);
            replicaDecided(check, true);
            metrics.spotChecked("agreed");
            return;
        }
        metrics.spotChecked("disagreed");
        LOG.warn("Replicas disagree: {} and provider {} ({}); the coordinator's replay decides", where(check, check.result()),
                check.replica().providerId(), agreement.detail());
        TrainerClient.TrainResult replayed;
        try {
            replayed = replay(check);
        } catch (Exception e) {
            LOG.warn("Could not replay {} to settle it; both results count unchecked: {}", where(check, check.result()), e.getMessage());
            decide(check, true, CheckStore.UNCHECKED);
            replicaDecided(check, true);
            return;
        }
        try {
            Verdict second = judge(replayed, check.replica(), delta(check, check.replica()), compression(check));
            replicaDecided(check, second.passed());
            if (!second.passed()) {
                ban(check, check.replica(), second);
            }
            settle(check, judge(replayed, check.result(), delta(check, check.result()), compression(check)));
        } catch (java.io.IOException e) {
            LOG.warn("Could not read the results of {} again; both count unchecked: {}", where(check, check.result()), e.getMessage());
            decide(check, true, CheckStore.UNCHECKED);
        }
    }

    private void ban(PendingCheck check, ResultRow result, Verdict verdict) {
        reputation.checkFailed(result.providerId(), result.projectId(), result.round(), result.shard(),
                "the coordinator's replay of its task disagrees: " + verdict.detail());
        try {
            records.scheduler().banned(result.providerId());
        } catch (SQLException e) {
            LOG.warn("Ending the leases of banned provider {} failed: {}", result.providerId(), e.toString());
        }
    }

    private static String where(PendingCheck check, ResultRow result) {
        Task task = check.task();
        return "project " + task.projectId() + " round " + task.round() + " shard " + task.shard() + " from provider " + result.providerId();
    }

    private void decide(PendingCheck check, boolean passed, String state) {
        try {
            records.scheduler().checked(check, passed, state);
        } catch (SQLException | RuntimeException e) {
            LOG.error("Recording the check of project {} round {} shard {} failed: {}", check.task().projectId(), check.task().round(),
                    check.task().shard(), e.toString());
        }
    }

    private void replicaDecided(PendingCheck check, boolean passed) {
        try {
            records.scheduler().replicaChecked(check, passed);
        } catch (SQLException | RuntimeException e) {
            LOG.error("Recording the second result of project {} round {} shard {} failed: {}", check.task().projectId(),
                    check.task().round(), check.task().shard(), e.toString());
        }
    }

    /**
     * The update the task gives when the coordinator trains it, with the volunteer's thread count
     * (the split of a sum over threads decides its last bits).
     */
    private TrainerClient.TrainResult replay(PendingCheck check) throws Exception {
        Task task = check.task();
        float[] params = vectors.read(task.params(), check.paramCount());
        return trainer.use(t -> {
            if (check.canonicalModel()) {
                t.loadCanonical(blobs.file(task.model()));
            } else {
                t.load(blobs.file(task.model()));
            }
            return t.train(new TrainerClient.TrainRequest(TrainerClient.DataFiles.all(blobs.file(task.x()), blobs.file(task.y())),
                    task.epochs(), task.batchSize(), task.seed(), Math.max(0, check.result().threads())), params);
        });
    }

    /** Whether a replay agrees with what the volunteer sent, and how closely. */
    record Verdict(boolean passed, String detail) {
    }

    /**
     * A replay against a result: bit for bit when both ran on the same runtime (backend, CPU
     * model, library version) with the same thread count, where an honest volunteer's update is
     * exactly the coordinator's; within the tolerance otherwise, or when the volunteer did not say.
     */
    Verdict judge(TrainerClient.TrainResult replayed, ResultRow sent, float[] sentDelta, UpdateCodec.Compression compression) {
        boolean exact = compression.none() && sameRun(replayed.threads(), replayed.runtime(), sent);
        Verdict v = compare(replayed.delta(), sentDelta, exact ? 0 : tolerance + allowance(compression));
        return exact && !v.passed() ? new Verdict(false, v.detail() + " on the same runtime and threads, where it must be bit-exact") : v;
    }

    private static UpdateCodec.Compression compression(PendingCheck check) {
        return UpdateCodec.Compression.parse(check.task().compression());
    }

    private float[] delta(PendingCheck check, ResultRow result) throws java.io.IOException {
        return vectors.readDelta(result.deltaBlob(), check.paramCount(), check.task().compression());
    }

    /**
     * How far a quantized update may sit from its replay on top of the tolerance: the encoding's own
     * error plus the residual carried from the provider's earlier task (relative L2). Chosen from
     * the encodings' error bounds (fp16: 2^-11 per value; int8: half a step of largest/127 per
     * block), doubled for the carried residual; not yet measured against real replays.
     */
    static double allowance(UpdateCodec.Compression compression) {
        return switch (compression.encoding()) {
        case FP32, TOPK -> 0;
        case FP16 -> 0.005;
        case INT8 -> 0.08;
        };
    }

    static boolean sameRun(int threads, String runtime, ResultRow other) {
        return threads > 0 && threads == other.threads() && runtime != null && runtime.equals(other.runtime());
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
