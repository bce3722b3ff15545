package org.daig.coordinator.service;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;

import org.daig.api.blob.BlobStore;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.ResultAdmission.Delta;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Database;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases and results for the task exchange. A result's delta is read here, outside the
 * scheduler's lock: a missing blob, a wrong length or a NaN/Inf refuses it; the scheduler's
 * admission rule decides the rest. Each verdict goes to the device's standing
 * ({@link VolunteerReputation}), which may end its leases for good; a result picked for a spot
 * check goes to its replay ({@link SpotChecks}).
 */
@Component(service = TaskDesk.class)
public class ResultIntake implements TaskDesk {

    private static final Logger LOG = LoggerFactory.getLogger(ResultIntake.class);
    /** Lease rows written in one commit while the exchange is idle: a message that arrives meanwhile waits for one such commit at most. */
    private static final int LEASE_ENDS_PER_COMMIT = 500;

    private final ProjectRecords records;
    private final BlobStore blobs;
    private final VectorBlobs vectors;
    private final CoordinatorMetrics metrics;
    private final VolunteerReputation reputation;
    private final SpotChecks spotChecks;
    private final CheckedDeltas checked;

    @Activate
    public ResultIntake(BundleContext context, @Reference(name = "records") ProjectRecords records,
            @Reference(name = "blobs") BlobStore blobs, @Reference(name = "metrics") CoordinatorMetrics metrics,
            @Reference(name = "reputation") VolunteerReputation reputation, @Reference(name = "spotChecks") SpotChecks spotChecks,
            @Reference(name = "checked") CheckedDeltas checked) {
        this(records, blobs, metrics, reputation, spotChecks, WorkDir.of(context).resolve("tmp"), checked);
    }

    ResultIntake(ProjectRecords records, BlobStore blobs, CoordinatorMetrics metrics, VolunteerReputation reputation, SpotChecks spotChecks,
            Path tmp) {
        this(records, blobs, metrics, reputation, spotChecks, tmp, CheckedDeltas.NONE);
    }

    ResultIntake(ProjectRecords records, BlobStore blobs, CoordinatorMetrics metrics, VolunteerReputation reputation, SpotChecks spotChecks,
            Path tmp, CheckedDeltas checked) {
        this.records = records;
        this.blobs = blobs;
        this.vectors = new VectorBlobs(blobs, tmp);
        this.metrics = metrics;
        this.reputation = reputation;
        this.spotChecks = spotChecks;
        this.checked = checked;
    }

    @Override
    public Optional<String> noTasksFor(String providerId) {
        return reputation.banned(providerId);
    }

    @Override
    public Optional<Task> lease(String providerId, long maxParams) throws SQLException {
        if (reputation.banned(providerId).isPresent()) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        Optional<Task> task = records.scheduler().lease(providerId, maxParams);
        metrics.leaseTook(System.nanoTime() - start);
        task.ifPresent(t -> metrics.leased());
        return task;
    }

    @Override
    public Delta check(String providerId, TaskResult result) {
        long params = records.scheduler().paramCount(result.projectId());
        // finished or unknown projects: the scheduler says which, without reading the delta
        return params < 0 ? Delta.ok(0) : readDelta(providerId, result, params, records.scheduler().compression(result.projectId()));
    }

    @Override
    public Scheduler.Outcome result(String providerId, TaskResult result, Delta delta) throws Exception {
        Scheduler.Outcome outcome = records.scheduler().submit(providerId, result, delta);
        metrics.resultAnswered(outcome.kind());
        if (outcome.kind() == TaskReply.Kind.REFUSED) {
            LOG.warn("Refused a result from provider {} for project {} round {} shard {}: {}", providerId, result.projectId(),
                    result.round(), result.shard(), outcome.message());
        }
        reputation.judged(providerId, result, outcome.verdict(), outcome.message());
        if (outcome.kind() == TaskReply.Kind.REFUSED && reputation.banned(providerId).isPresent()) {
            records.scheduler().banned(providerId); // a banned device's leases would otherwise block their tasks until they lapse
        }
        if (outcome.check() != null) {
            spotChecks.queue(outcome.check());
        }
        return outcome;
    }

    /** The delta's L2 norm, or what is wrong with it; {@code compression}: how the project's updates are encoded. */
    Delta readDelta(String providerId, TaskResult result, long params, String compression) {
        if (!BlobStore.isValidId(result.delta()) || blobs.find(result.delta()).isEmpty()) {
            if (BlobStore.isValidId(result.delta()) && records.scheduler().forgiveMissingUpload(providerId, result.leaseId())) {
                LOG.warn("Provider {} names delta {} for lease {}, issued before this coordinator started, and the store has no such "
                        + "blob (lost in a power cut?); its task is done again", providerId, result.delta(), result.leaseId());
                return Delta.lost("the coordinator has no delta " + result.delta() + " (lost as it restarted?); do the task again and "
                        + "upload the new result");
            }
            return Delta.refused("delta blob " + result.delta() + " is not on the coordinator: upload it before committing the result");
        }
        try {
            float[] delta = vectors.readDelta(result.delta(), params, compression);
            double norm = 0;
            for (int i = 0; i < delta.length; i++) {
                if (!Float.isFinite(delta[i])) {
                    return Delta.refused("its delta has " + delta[i] + " at index " + i);
                }
                norm += (double) delta[i] * delta[i];
            }
            checked.keep(result.delta(), compression, delta);
            return Delta.ok(Math.sqrt(norm));
        } catch (IOException e) {
            return unreadable(result.delta(), e);
        }
    }

    /**
     * A delta that cannot be read: its sender's fault, unless the stored bytes no longer hash to its
     * id, which only the store can have done (uploads are hashed as they arrive): providers' results
     * are not forced to disk, and a power cut may leave one short. The remains are removed, so that
     * the provider, asked to do its task again, can upload it afresh.
     */
    private Delta unreadable(String blob, IOException e) {
        try {
            if (vectors.removeIfLost(blob)) {
                LOG.warn("Delta {} no longer holds the bytes that were uploaded (lost in a power cut?); removed, its task is done again",
                        blob);
                return Delta.lost("the coordinator lost its copy of delta " + blob + "; do the task again and upload the new result");
            }
        } catch (IOException | RuntimeException unsure) {
            // the store cannot say now: judged as it reads
        }
        return Delta.refused("its delta " + e.getMessage());
    }

    @Override
    public Database.Group decideTogether() {
        return records.database().group();
    }

    @Override
    public boolean writeLeftovers() throws SQLException {
        return records.scheduler().writeLeaseEnds(LEASE_ENDS_PER_COMMIT);
    }

    @Override
    public void reload() throws SQLException {
        records.scheduler().load();
    }

    @Override
    public long retryAfterMillis() {
        return records.scheduler().settings().retryAfterMillis();
    }

    @Override
    public boolean release(String providerId, String leaseId, String reason) throws SQLException {
        return records.scheduler().release(providerId, leaseId, reason);
    }

    @Override
    public void whenTasksMayAppear(Runnable signal) {
        records.scheduler().whenTasksMayAppear(signal);
    }

    @Override
    public void providerGone(String providerId) {
        try {
            records.scheduler().providerGone(providerId);
        } catch (SQLException e) {
            LOG.warn("Releasing the tasks of provider {} failed: {}", providerId, e.toString());
        }
    }
}
