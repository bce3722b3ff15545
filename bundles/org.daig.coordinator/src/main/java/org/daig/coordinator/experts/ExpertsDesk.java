package org.daig.coordinator.experts;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.daig.api.account.Identity;
import org.daig.api.blob.BlobStore;
import org.daig.coordinator.access.Callers;
import org.daig.coordinator.experts.ExpertsStore.GroupRow;
import org.daig.coordinator.experts.ExpertsStore.ProjectRow;
import org.daig.coordinator.service.ProjectRecords;
import org.daig.coordinator.store.Database;
import org.daig.experts.ExpertGrid;
import org.daig.experts.dht.UdpNode;
import org.daig.wire.VectorFile;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.Gson;

/**
 * Experts projects (issue 18): a requestor creates one with its experts' settings; the coordinator
 * cuts the grid's cells into groups and leases each group to one provider at a time, which hosts
 * those experts in its worker, renews its lease and uploads checkpoints; a lease that lapses lets
 * another provider take the group over from its newest checkpoint. The coordinator runs each running
 * project's first DHT peer (hosts and trainers join through it) and assembles the whole model from
 * the trainer's file and the checkpoints when the requestor downloads it.
 */
@Component(service = ExpertsDesk.class, configurationPid = ExpertsConfig.PID)
@Designate(ocd = ExpertsConfig.class)
public class ExpertsDesk {

    private static final Logger LOG = LoggerFactory.getLogger(ExpertsDesk.class);
    private static final Gson GSON = new Gson();

    /** A refusal with the HTTP status that fits it and a message for the caller. */
    public static final class ExpertsException extends Exception {
        private static final long serialVersionUID = 1L;
        public final int status;

        public ExpertsException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** What a provider hosts: the cells of one group and how, until it stops renewing. */
    public record HostingTask(String project, int group, List<String> cells, int width, int hidden, String optimizer, double learningRate,
            long seed, String token, String checkpoint, long checkpointParameters, long leaseSeconds, long checkpointSeconds,
            String bootstrap, String relay) {
    }

    /** One group of cells as the requestor sees it. */
    public record GroupView(int group, String firstCell, String lastCell, long cells, String host, boolean hosted, Long checkpointAt) {
    }

    /** A project as its owner (and admins) see it; {@code token} admits trainers to the experts and the DHT. */
    public record ExpertsView(String id, String name, String owner, String state, ExpertsSpec spec, String token, String bootstrap,
            String relay, List<GroupView> groups, Long trainerAt, long createdAt) {
    }

    private final ProjectRecords records;
    private final BlobStore blobs;
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, UdpNode> dhtPeers = new ConcurrentHashMap<>();
    private final ExpertsConfig config;

    @Activate
    public ExpertsDesk(@Reference(name = "records") ProjectRecords records, @Reference(name = "blobs") BlobStore blobs, ExpertsConfig config)
            throws SQLException {
        this(records, blobs, config, System::currentTimeMillis);
    }

    /** Outside DS (tests). */
    public ExpertsDesk(ProjectRecords records, BlobStore blobs, ExpertsConfig config, LongSupplier clock) throws SQLException {
        this.records = records;
        this.blobs = blobs;
        this.config = config;
        this.clock = clock;
        for (ProjectRow p : db().read(ExpertsStore::running)) {
            startPeer(p);
        }
    }

    @Deactivate
    public void close() {
        dhtPeers.values().forEach(UdpNode::close);
        dhtPeers.clear();
    }

    private Database db() {
        return records.database();
    }

    // ---- requestors ---------------------------------------------------------------------------

    /** Creates a project for {@code caller}; its problems (each naming its field) refuse it with nothing stored. */
    public ExpertsView create(Identity caller, ExpertsSpec asked) throws ExpertsException, SQLException {
        if (!Callers.maySubmit(caller)) {
            throw new ExpertsException(403, "only requestors create experts projects: " + Callers.describe(caller));
        }
        if (asked == null) {
            throw new ExpertsException(400, "send the project's settings as a JSON object");
        }
        ExpertsSpec spec = asked.withDefaults();
        List<String> problems = spec.problems();
        if (!problems.isEmpty()) {
            throw new ExpertsException(422, String.join("; ", problems));
        }
        byte[] id = new byte[8];
        byte[] token = new byte[32];
        random.nextBytes(id);
        random.nextBytes(token);
        ProjectRow row = new ProjectRow("x" + HexFormat.of().formatHex(id), caller.user(), spec.name(), GSON.toJson(spec),
                HexFormat.of().formatHex(token), ExpertsStore.RUNNING, null, null, clock.getAsLong());
        db().transaction(c -> {
            ExpertsStore.insertProject(c, row, spec.hosts());
            return null;
        });
        startPeer(row);
        LOG.info("Experts project {} ('{}') of {}: grid {} {} in {} groups", row.id(), spec.name(), caller.user(), spec.prefix(), spec.grid(),
                spec.hosts());
        return view(row, true);
    }

    /** The caller's projects (an admin's: all). */
    public List<ExpertsView> list(Identity caller) throws ExpertsException, SQLException {
        if (!Callers.maySubmit(caller)) {
            throw new ExpertsException(403, "only requestors and admins see experts projects: " + Callers.describe(caller));
        }
        List<ExpertsView> out = new ArrayList<>();
        for (ProjectRow p : db().read(c -> ExpertsStore.projects(c, Callers.isAdmin(caller) ? null : caller.user()))) {
            out.add(view(p, false));
        }
        return out;
    }

    /** One project with its token (trainers need it), for its owner or an admin. */
    public ExpertsView get(Identity caller, String id) throws ExpertsException, SQLException {
        return view(owned(caller, id), true);
    }

    public ExpertsView cancel(Identity caller, String id) throws ExpertsException, SQLException {
        ProjectRow p = owned(caller, id);
        db().transaction(c -> ExpertsStore.setState(c, id, ExpertsStore.CANCELLED));
        UdpNode peer = dhtPeers.remove(id);
        if (peer != null) {
            peer.close();
        }
        LOG.info("Experts project {} cancelled by {}", id, Callers.describe(caller));
        return view(new ProjectRow(p.id(), p.owner(), p.name(), p.spec(), p.token(), ExpertsStore.CANCELLED, p.trainerBlob(),
                p.trainerAt(), p.createdAt()), true);
    }

    /**
     * Keeps the trainer's layers: {@code blob}, a whole-model file the owner uploaded, whose manifest
     * must match the project. The download takes the layers and gate from the newest such file.
     */
    public void setTrainer(Identity caller, String id, String blob) throws ExpertsException, SQLException {
        ProjectRow p = owned(caller, id);
        Path file = blobFile(blob, "blob");
        try {
            ExpertsModel.check(file, spec(p));
        } catch (IOException e) {
            throw new ExpertsException(422, "blob " + blob + ": " + e.getMessage());
        }
        String old = p.trainerBlob();
        db().transaction(c -> ExpertsStore.setTrainer(c, id, blob, clock.getAsLong()));
        deleteIfUnused(old, blob);
    }

    /** Writes the whole model (the newest trainer file, every group's newest checkpoint) to {@code out}. */
    public void writeModel(Identity caller, String id, OutputStream out) throws ExpertsException, SQLException, IOException {
        ProjectRow p = owned(caller, id);
        if (p.trainerBlob() == null) {
            throw new ExpertsException(409, "project " + id + " has no trainer's file yet: a trainer uploads its layers and gate when it"
                    + " ends (daig experts train --project " + id + ")");
        }
        Map<Integer, Path> checkpoints = new LinkedHashMap<>();
        for (GroupRow g : db().read(c -> ExpertsStore.groups(c, id))) {
            if (g.checkpointBlob() != null) {
                checkpoints.put(g.group(), blobFile(g.checkpointBlob(), "checkpoint of group " + g.group()));
            }
        }
        ExpertsModel.write(out, blobFile(p.trainerBlob(), "trainer's file"), spec(p), checkpoints);
    }

    /** The project's name and whether {@code caller} may download it (for the file name), checked as for {@link #writeModel}. */
    public String name(Identity caller, String id) throws ExpertsException, SQLException {
        return owned(caller, id).name();
    }

    // ---- providers ----------------------------------------------------------------------------

    /** The group {@code device} hosts now (again, after a restart), else a free one; empty when no project needs a host. */
    public Optional<HostingTask> lease(Identity caller) throws ExpertsException, SQLException {
        String device = device(caller);
        long now = clock.getAsLong();
        long until = now + config.leaseSeconds() * 1000;
        Optional<GroupRow> got = db().transaction(c -> {
            Optional<GroupRow> g = ExpertsStore.heldBy(c, device, now);
            if (g.isEmpty()) {
                g = ExpertsStore.unhosted(c, now);
            }
            if (g.isPresent() && !ExpertsStore.lease(c, g.get().projectId(), g.get().group(), device, now, until)) {
                return Optional.<GroupRow>empty();
            }
            return g;
        });
        if (got.isEmpty()) {
            return Optional.empty();
        }
        GroupRow g = got.get();
        ProjectRow p = db().read(c -> ExpertsStore.project(c, g.projectId())).orElseThrow();
        ExpertsSpec spec = spec(p);
        long[] range = spec.groupCells(g.group());
        ExpertGrid grid = spec.expertGrid();
        List<String> cells = new ArrayList<>();
        for (long cell = range[0]; cell < range[1]; cell++) {
            cells.add(grid.uid(cell).toString());
        }
        LOG.info("Provider {} hosts group {} of experts project {} ({} to {})", device, g.group(), p.id(), cells.get(0),
                cells.get(cells.size() - 1));
        return Optional.of(new HostingTask(p.id(), g.group(), cells, spec.width(), spec.hidden(), spec.optimizer(), spec.learningRate(),
                spec.seed(), p.token(), g.checkpointBlob(), spec.groupParameters(g.group()), config.leaseSeconds(), config.checkpointSeconds(),
                bootstrap(p.id()), relay()));
    }

    /**
     * {@code device} still hosts the group, and optionally its newest parameters are {@code checkpoint}
     * (a blob it uploaded, a float32 vector of the group's size). A lease that lapsed or went to another
     * provider is not renewed: the host stops.
     */
    public void renew(Identity caller, String project, int group, String checkpoint) throws ExpertsException, SQLException {
        String device = device(caller);
        ProjectRow p = db().read(c -> ExpertsStore.project(c, project)).orElseThrow(() -> new ExpertsException(404, "no experts project "
                + project));
        if (checkpoint != null) {
            long expected = VectorFile.fileSize(spec(p).groupParameters(group));
            long size = blobs.find(checkpoint).orElseThrow(() -> new ExpertsException(422, "checkpoint: no blob " + checkpoint
                    + " (upload it first)")).size();
            if (size != expected) {
                throw new ExpertsException(422, "checkpoint: blob " + checkpoint + " has " + size + " bytes; group " + group + " of " + project
                        + " needs a float32 vector of " + expected + " bytes");
            }
        }
        long now = clock.getAsLong();
        String[] replaced = new String[1];
        boolean renewed = db().transaction(c -> {
            if (!ExpertsStore.RUNNING.equals(p.state()) || !ExpertsStore.renew(c, project, group, device, now, now + config.leaseSeconds() * 1000)) {
                return false;
            }
            if (checkpoint != null) {
                replaced[0] = ExpertsStore.groups(c, project).get(group).checkpointBlob();
                ExpertsStore.setCheckpoint(c, project, group, checkpoint, now);
            }
            return true;
        });
        if (!renewed) {
            throw new ExpertsException(409, "provider " + device + " does not host group " + group + " of experts project " + project
                    + " any more (its lease lapsed, went to another provider, or the project ended): stop hosting it");
        }
        deleteIfUnused(replaced[0], checkpoint);
    }

    /** {@code device} stops hosting the group (after its last checkpoint); another provider may take it at once. */
    public void release(Identity caller, String project, int group) throws ExpertsException, SQLException {
        String device = device(caller);
        if (!db().transaction(c -> ExpertsStore.release(c, project, group, device, clock.getAsLong()))) {
            throw new ExpertsException(409, "provider " + device + " does not host group " + group + " of experts project " + project);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private ProjectRow owned(Identity caller, String id) throws ExpertsException, SQLException {
        Optional<ProjectRow> p = db().read(c -> ExpertsStore.project(c, id));
        // someone else's project answers as a missing one: ids are not for guessing
        if (p.isEmpty() || !Callers.mayUseProjectOf(caller, p.get().owner())) {
            throw new ExpertsException(404, "no experts project " + id + " of yours");
        }
        return p.get();
    }

    private static String device(Identity caller) throws ExpertsException {
        if (!Callers.isDevice(caller)) {
            throw new ExpertsException(403, "only providers (device tokens) host experts: " + Callers.describe(caller));
        }
        return caller.device();
    }

    private static ExpertsSpec spec(ProjectRow p) {
        return ExpertsSpec.stored(p.spec());
    }

    private Path blobFile(String blob, String what) throws ExpertsException {
        if (!BlobStore.isValidId(blob) || blobs.find(blob).isEmpty()) {
            throw new ExpertsException(422, what + ": no blob " + blob + " on the coordinator (upload it first)");
        }
        try {
            return blobs.file(blob);
        } catch (IOException e) {
            throw new ExpertsException(503, what + ": blob " + blob + " cannot be read now: " + e.getMessage());
        }
    }

    /** Deletes a replaced checkpoint or trainer file nothing refers to any more, so that hours of checkpoints do not pile up. */
    private void deleteIfUnused(String old, String replacement) {
        if (old == null || old.equals(replacement)) {
            return;
        }
        try {
            if (!db().read(c -> ExpertsStore.referenced(c, old))) {
                blobs.delete(old);
            }
        } catch (SQLException | IOException e) {
            LOG.warn("Could not delete the replaced blob {}: {}", old, e.toString());
        }
    }

    private ExpertsView view(ProjectRow p, boolean withToken) throws SQLException {
        ExpertsSpec spec = spec(p);
        ExpertGrid grid = spec.expertGrid();
        long now = clock.getAsLong();
        List<GroupView> groups = new ArrayList<>();
        for (GroupRow g : db().read(c -> ExpertsStore.groups(c, p.id()))) {
            long[] range = spec.groupCells(g.group());
            boolean hosted = g.providerId() != null && g.leaseUntil() > now;
            groups.add(new GroupView(g.group(), grid.uid(range[0]).toString(), grid.uid(range[1] - 1).toString(), range[1] - range[0],
                    hosted ? g.providerId() : null, hosted, g.checkpointAt()));
        }
        return new ExpertsView(p.id(), p.name(), p.owner(), p.state(), spec, withToken ? p.token() : null, bootstrap(p.id()), relay(), groups,
                p.trainerAt(), p.createdAt());
    }

    private void startPeer(ProjectRow p) {
        try {
            dhtPeers.computeIfAbsent(p.id(), id -> {
                try {
                    return UdpNode.start(config.dhtHost(), 0, 2_000, p.token().getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } catch (IllegalStateException e) {
            LOG.error("Experts project {}: its DHT peer cannot bind {} ({}); hosts and trainers cannot find each other until dhtHost in {}"
                    + " names an address of this machine", p.id(), config.dhtHost(), e.getMessage(), ExpertsConfig.PID);
        }
    }

    /** Where hosts and trainers join the project's DHT: the advertised host and the peer's port. */
    private String bootstrap(String project) {
        UdpNode peer = dhtPeers.get(project);
        if (peer == null) {
            return null;
        }
        String address = peer.address();
        return host() + address.substring(address.lastIndexOf(':'));
    }

    private String relay() {
        return config.relayPort() > 0 ? host() + ":" + config.relayPort() : null;
    }

    private String host() {
        String advertised = config.advertisedHost();
        return advertised == null || advertised.isBlank() ? config.dhtHost() : advertised.strip();
    }
}
