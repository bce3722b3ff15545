package org.daig.coordinator.access;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.daig.api.account.Identity;
import org.daig.api.blob.BlobAccess;
import org.daig.api.blob.BlobStore;
import org.daig.coordinator.experts.ExpertsStore;
import org.daig.coordinator.schedule.LeaseGrants;
import org.daig.coordinator.service.ProjectRecords;
import org.daig.coordinator.store.AccessStore;
import org.daig.coordinator.store.Database;
import org.daig.wire.VectorFile;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blob plane's rules (docs/security.md), from what the coordinator's database knows, and for
 * providers' leases from what the scheduler granted them ({@link LeaseGrants}, in memory):
 * <ul>
 * <li>an admin reads every blob;</li>
 * <li>a requestor reads the blobs it uploaded itself and those of its own projects (model, data,
 * shards, versions' parameters, results' deltas); it uploads within its storage quota and the
 * upload size cap. Knowing a blob's id is not enough: bytes somebody else stored must be uploaded
 * again (the blob servlet checks their hash) before they count as the requestor's;</li>
 * <li>a provider (device token) reads only the model, the parameters of the leased version and the
 * shard of a task whose live lease it holds, and uploads, while it holds one, blobs no larger than
 * a delta of that project's model, a few per task;</li>
 * <li>a provider hosting a group of an experts project reads that group's newest checkpoint and uploads
 * checkpoints of exactly the group's size, one at a time;</li>
 * <li>everyone else: nothing. When the database cannot answer, the answer is no.</li>
 * </ul>
 */
@Component(service = BlobAccess.class, configurationPid = AccessConfig.PID)
@Designate(ocd = AccessConfig.class)
public class CoordinatorBlobAccess implements BlobAccess {

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorBlobAccess.class);
    /** Providers' uploads are remembered this long at most (for {@code uploadsPerLease}): longer than any task should take. */
    static final long KEEP_DEVICE_UPLOADS_MS = 24 * 3600_000L;

    /** The limits from {@link AccessConfig}. */
    public record Limits(long quotaBytes, long maxUploadBytes, int uploadsPerLease) {

        /** AccessConfig's defaults. */
        public static final Limits DEFAULTS = new Limits(21474836480L, 0, 4);

        static Limits of(AccessConfig c) {
            return new Limits(c.uploadQuotaBytes(), c.maxUploadBytes(), c.uploadsPerLease());
        }
    }

    private final ProjectRecords records;
    private final LongSupplier clock;
    /** Unfinished uploads of accounts and of devices, apart (a device's name could equal an account's). */
    private final PendingUploads people = new PendingUploads();
    private final PendingUploads devices = new PendingUploads();
    /** Providers' completed uploads, for {@code uploadsPerLease}. */
    private final DeviceUploads deviceUploads = new DeviceUploads();
    private final ScheduledExecutorService sweeper;
    private volatile Limits limits;

    @Activate
    public CoordinatorBlobAccess(@Reference(name = "records") ProjectRecords records, AccessConfig config) {
        this(records, Limits.of(config), System::currentTimeMillis);
    }

    /** Outside DS (tests). @param clock epoch ms, the scheduler's clock (lease deadlines) */
    public CoordinatorBlobAccess(ProjectRecords records, Limits limits, LongSupplier clock) {
        this.records = records;
        this.limits = limits;
        this.clock = clock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daig-upload-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(() -> deviceUploads.forgetBefore(clock.getAsLong() - KEEP_DEVICE_UPLOADS_MS), 1, 1, TimeUnit.MINUTES);
    }

    @Modified
    void modified(AccessConfig config) {
        limits = Limits.of(config);
    }

    @Override
    public boolean mayRead(Identity caller, String id) {
        if (caller == null || !BlobStore.isValidId(id)) {
            return false;
        }
        if (Callers.isAdmin(caller)) {
            return true;
        }
        long now = clock.getAsLong();
        try {
            if (Callers.isDevice(caller)) {
                return grants().mayRead(caller.device(), id, now) || db().read(c -> ExpertsStore.hostsCheckpoint(c, caller.device(), id, now));
            }
            if (Callers.isRequestor(caller)) {
                String user = caller.user();
                return db().read(c -> AccessStore.uploadedBy(c, id, user) || AccessStore.inProjectOf(c, id, user)
                        || ExpertsStore.inProjectOf(c, id, user)) || deltaOfUnfinishedProject(user, id);
            }
            return false;
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not decide whether {} may read blob {}; refused: {}", Callers.describe(caller), id, e.toString());
            return false;
        }
    }

    @Override
    public Optional<String> refuseUpload(Identity caller, String id, long totalBytes) {
        if (caller == null) {
            return Optional.of("sign in first: send Authorization: Bearer <token>");
        }
        if (!BlobStore.isValidId(id) || totalBytes < 0) {
            return Optional.of("upload a blob under the lower-case hex SHA-256 of its bytes, with its size");
        }
        try {
            if (Callers.isDevice(caller)) {
                return refuseDeviceUpload(caller.device(), id, totalBytes);
            }
            if (Callers.maySubmit(caller)) {
                return refusePersonUpload(caller.user(), id, totalBytes);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not decide whether {} may upload blob {}; refused: {}", Callers.describe(caller), id, e.toString());
            return Optional.of("the coordinator could not check this upload (" + e.getMessage() + "); try again later");
        }
        return Optional.of("only requestors upload files, and providers their results; account " + caller.user() + " with a "
                + caller.scope().id() + " token and roles " + caller.roles().stream().map(r -> r.id()).sorted().toList() + " may not");
    }

    /**
     * A provider's upload while it holds a task is that task's result (see {@link #refuseDeviceUpload}): should a power
     * cut lose it, the round's close takes the result back and offers the task again. All else is forced to disk.
     */
    @Override
    public boolean mustBeDurable(Identity caller, String id) {
        return caller == null || !Callers.isDevice(caller) || grants().live(caller.device(), clock.getAsLong()).isEmpty();
    }

    private Optional<String> refuseDeviceUpload(String device, String id, long total) throws SQLException {
        long now = clock.getAsLong();
        List<LeaseGrants.Grant> leases = grants().live(device, now);
        if (leases.isEmpty()) {
            OptionalLong checkpoint = db().read(c -> ExpertsStore.checkpointBytes(c, device, now));
            if (checkpoint.isPresent()) {
                return refuseCheckpoint(device, id, total, checkpoint.getAsLong(), now);
            }
            return Optional.of("provider " + device + " holds no task now: a provider uploads only the result of a task it holds");
        }
        LeaseGrants.Grant largest = leases.stream().max((a, b) -> Long.compare(a.paramCount(), b.paramCount())).orElseThrow();
        long max = VectorFile.fileSize(largest.paramCount());
        if (total > max) {
            return Optional.of("too large: a result of project " + largest.projectId() + " is a delta of its " + largest.paramCount()
                    + " parameters, " + max + " bytes; this upload announces " + total);
        }
        long done = deviceUploads.countSince(device, leases.get(0).issuedAt(), id);
        long allowed = (long) limits.uploadsPerLease() * leases.size();
        if (done + devices.count(device, id, now) + 1 > allowed) {
            return Optional.of("provider " + device + " has uploaded " + done + " blobs for the " + leases.size()
                    + " task(s) it holds, the most allowed (uploadsPerLease " + limits.uploadsPerLease() + " in " + AccessConfig.PID + ")");
        }
        reserve(devices, device, id, total, now);
        return Optional.empty();
    }

    /** A host uploads checkpoints of the group it hosts: exactly its size, one at a time. */
    private Optional<String> refuseCheckpoint(String device, String id, long total, long size, long now) {
        if (total != size) {
            return Optional.of("provider " + device + " hosts experts: it uploads only their checkpoint, a float32 vector of " + size
                    + " bytes; this upload announces " + total);
        }
        if (devices.count(device, id, now) > 0) {
            return Optional.of("provider " + device + " is uploading a checkpoint already: finish that one first");
        }
        reserve(devices, device, id, total, now);
        return Optional.empty();
    }

    private Optional<String> refusePersonUpload(String user, String id, long total) throws SQLException {
        Limits l = limits;
        if (l.maxUploadBytes() > 0 && total > l.maxUploadBytes()) {
            return Optional.of("too large: one upload may have at most " + l.maxUploadBytes() + " bytes (maxUploadBytes in "
                    + AccessConfig.PID + "); this one announces " + total);
        }
        long now = clock.getAsLong();
        if (db().transaction(c -> AccessStore.uploadedBy(c, id, user))) {
            return Optional.empty(); // counted already
        }
        long stored = db().transaction(c -> AccessStore.uploadedBytes(c, user, id));
        long unfinished = people.bytes(user, id, now);
        if (stored + unfinished + total > l.quotaBytes()) {
            return Optional.of("quota exceeded: account " + user + " stores " + stored + " bytes" + (unfinished > 0 ? " and is uploading "
                    + unfinished + " more" : "") + "; with these " + total + " it would pass its " + l.quotaBytes()
                    + " bytes (uploadQuotaBytes in " + AccessConfig.PID + "): ask the operator for more");
        }
        if (people.count(user, id, now) >= PendingUploads.MAX_PER_UPLOADER) {
            return Optional.of("account " + user + " has " + PendingUploads.MAX_PER_UPLOADER + " unfinished uploads: finish them first");
        }
        reserve(people, user, id, total, now);
        return Optional.empty();
    }

    /** Remembers an upload that was let in; a zero-byte one (also the blob servlet's probe) needs no room. */
    private static void reserve(PendingUploads pending, String uploader, String id, long total, long now) {
        if (total > 0) {
            pending.put(uploader, id, total, now);
        }
    }

    @Override
    public void uploaded(Identity caller, String id, long bytes) {
        if (caller == null || !BlobStore.isValidId(id) || !(Callers.isDevice(caller) || Callers.maySubmit(caller))) {
            return;
        }
        long now = clock.getAsLong();
        if (Callers.isDevice(caller)) {
            deviceUploads.add(caller.device(), id, now);
            devices.remove(caller.device(), id);
            return;
        }
        try {
            db().transaction(c -> {
                AccessStore.uploaded(c, id, caller.user(), bytes, now);
                return null;
            });
        } catch (SQLException e) {
            LOG.warn("Could not record that {} uploaded blob {}: {}", Callers.describe(caller), id, e.toString());
        }
        people.remove(caller.user(), id);
    }

    @Deactivate
    void deactivate() {
        sweeper.shutdownNow();
    }

    /** Whether {@code id} is an accepted result's delta in a project of {@code user}'s that is not finished. */
    private boolean deltaOfUnfinishedProject(String user, String id) throws SQLException {
        for (String project : db().read(c -> AccessStore.unfinishedProjectsOf(c, user))) {
            if (records.scheduler().acceptedDelta(project, id)) {
                return true;
            }
        }
        return false;
    }

    private Database db() {
        return records.database();
    }

    private LeaseGrants grants() {
        return records.scheduler().grants();
    }
}
