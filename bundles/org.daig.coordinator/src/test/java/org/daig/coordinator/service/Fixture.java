package org.daig.coordinator.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobInfo;
import org.daig.api.blob.BlobStore;
import org.daig.api.blob.UploadState;
import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerException;
import org.daig.coordinator.access.CoordinatorBlobAccess;
import org.daig.coordinator.schedule.LeaseTimeouts;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.daig.wire.VectorFile;
import org.h2.jdbcx.JdbcDataSource;

/**
 * A real in-memory H2 and scheduler, blobs in a folder, and a worker that answers like the trainer from a script.
 * Public for the tests of the access rules and the servlets in other packages.
 */
public final class Fixture implements ProjectRecords, AutoCloseable {

    /** Callers as the authentication filter leaves them: an admin, two requestors, a volunteer, two providers' devices. */
    public static final Identity ADMIN = person("root", Role.ADMIN);
    public static final Identity ALICE = person("alice", Role.REQUESTOR);
    public static final Identity BOB = person("bob", Role.REQUESTOR);
    public static final Identity VOLUNTEER = person("vera", Role.VOLUNTEER);
    public static final Identity DEVICE_A = device("vera", "prov-a");
    public static final Identity DEVICE_B = device("vera", "prov-b");

    public static Identity person(String user, Role... roles) {
        return new Identity(user, Set.of(roles), Scope.API, null, "t-" + user, Long.MAX_VALUE);
    }

    public static Identity device(String user, String device) {
        return new Identity(user, Set.of(Role.VOLUNTEER), Scope.DEVICE, device, "d-" + device, Long.MAX_VALUE);
    }

    private static final AtomicInteger DATABASES = new AtomicInteger();

    final Path dir;
    public final AtomicLong now = new AtomicLong(1_000_000);
    public final Database db;
    public final Scheduler scheduler;
    public final Blobs blobs;
    final FakeWorker worker = new FakeWorker();
    final MetricsCounters metrics = new MetricsCounters();
    /** Hears the scheduler's versions and state changes; tests set it (e.g. to an Evaluator or a latch). */
    volatile Scheduler.Listener listener = (project, version) -> {
    };
    final CoordinatorTrainer trainer = new CoordinatorTrainer() {
        @Override
        public synchronized <T> T use(Work<T> work) throws WorkerException, IOException {
            return work.run(new TrainerClient(worker));
        }
    };

    public Fixture(Path dir, Scheduler.RoundCloser closer) throws Exception {
        this.dir = dir;
        this.blobs = new Blobs(dir.resolve("blobs"));
        JdbcDataSource source = new JdbcDataSource();
        String url = "jdbc:h2:mem:fixture" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        source.setURL(url);
        db = new Database(source, url);
        scheduler = new Scheduler(db, new Scheduler.Settings(new LeaseTimeouts(60_000, 5_000, 3_600_000, 3.0), 10.0, 500), now::get,
                closer, new Scheduler.Listener() {
                    @Override
                    public void versionCreated(ProjectRow project, VersionRow version) {
                        listener.versionCreated(project, version);
                    }

                    @Override
                    public void stateChanged(ProjectRow project) {
                        listener.stateChanged(project);
                    }
                }, () -> "http://coordinator/api/v1/blobs/");
    }

    @Override
    public Database database() {
        return db;
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        db.close();
    }

    /** The coordinator's blob access rules on this database, with the default limits and the fixture's clock. */
    public CoordinatorBlobAccess access() {
        return access(CoordinatorBlobAccess.Limits.DEFAULTS);
    }

    public CoordinatorBlobAccess access(CoordinatorBlobAccess.Limits limits) {
        return new CoordinatorBlobAccess(this, limits, now::get);
    }

    /** The vector a blob holds. */
    float[] read(String blob, int length) throws IOException {
        try (InputStream in = blobs.open(blob, 0)) {
            return VectorFile.read(in, length);
        }
    }

    public String vector(float... values) throws IOException {
        Path f = Files.createTempFile(dir, "v", ".npy");
        try (var out = Files.newOutputStream(f)) {
            VectorFile.write(out, values);
        }
        return blobs.importFile(f).id();
    }

    /** A blob of these bytes (e.g. an update in a compressed encoding). */
    public String bytes(byte[] content) throws IOException {
        Path f = Files.createTempFile(dir, "b", ".bin");
        Files.write(f, content);
        return blobs.importFile(f).id();
    }

    /** A worker whose answers are scripted per operation; it records every call. */
    static final class FakeWorker implements Worker {
        final Map<String, Function<Map<String, ?>, WorkerAnswer>> answers = new java.util.HashMap<>();
        /** Operations the worker refuses, with the message it refuses them with. */
        final Map<String, String> refusals = new java.util.HashMap<>();
        final List<String> calls = new ArrayList<>();
        final List<Map<String, ?>> fields = new ArrayList<>();
        final List<float[]> payloads = new ArrayList<>();

        @Override
        public WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) throws WorkerException {
            calls.add(op);
            this.fields.add(Map.copyOf(fields));
            payloads.add(payload);
            if (refusals.containsKey(op)) {
                throw new WorkerException(refusals.get(op));
            }
            Function<Map<String, ?>, WorkerAnswer> answer = answers.get(op);
            if (answer == null) {
                throw new WorkerException("unknown operation " + op);
            }
            return answer.apply(fields);
        }

        @Override
        public long pid() {
            return 1;
        }

        @Override
        public boolean isAlive() {
            return true;
        }

        @Override
        public void suspend() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void kill() {
        }

        @Override
        public void close() {
        }
    }

    /** Content-addressed files in a folder. */
    /** Volunteers' standing on this database, banning after {@code banAfter} invalid results, on the fixture's clock. */
    public VolunteerReputation reputation(int banAfter) throws java.sql.SQLException {
        return new VolunteerReputation(db, banAfter, now::get);
    }

    public static final class Blobs implements BlobStore {
        private final Path dir;

        Blobs(Path dir) throws IOException {
            this.dir = Files.createDirectories(dir);
        }

        @Override
        public Optional<BlobInfo> find(String id) {
            Path f = dir.resolve(id);
            try {
                return Files.exists(f) ? Optional.of(new BlobInfo(id, Files.size(f))) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        @Override
        public Path file(String id) throws BlobException {
            return dir.resolve(id);
        }

        @Override
        public InputStream open(String id, long offset) throws IOException {
            InputStream in = Files.newInputStream(dir.resolve(id));
            in.skipNBytes(offset);
            return in;
        }

        @Override
        public BlobInfo write(InputStream in) throws IOException {
            Path f = Files.createTempFile(dir, "in", ".tmp");
            Files.copy(in, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            BlobInfo info = importFile(f);
            Files.delete(f);
            return info;
        }

        @Override
        public BlobInfo importFile(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            try {
                String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
                Files.write(dir.resolve(id), bytes);
                return new BlobInfo(id, bytes.length);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException(e);
            }
        }

        @Override
        public UploadState uploadState(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public UploadState append(String id, long offset, long total, InputStream chunk) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String id) throws IOException {
            Files.deleteIfExists(dir.resolve(id));
        }
    }
}
