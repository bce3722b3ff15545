package org.daig.coordinator.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.daig.api.blob.BlobStore;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.daig.api.project.Problem;
import org.daig.api.project.Progress;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;
import org.daig.api.task.TaskTopics;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.daig.coordinator.aggregate.AggregationStrategy;
import org.daig.coordinator.aggregate.KBatchSyncSgd;
import org.daig.coordinator.http.Endpoints;
import org.daig.coordinator.schedule.LeaseTimeouts;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.CreditRow;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.daig.wire.VectorFile;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's projects: validates and accepts submissions, prepares them (shards, initial
 * weights), runs their rounds through the {@link Scheduler}, evaluates each new version and
 * publishes its progress, and exports any version as a model file. State lives in the database
 * (H2 by default) and the blob store; both survive restarts, and so do the projects.
 */
@Component(service = ProjectService.class, configurationPid = ProjectServiceConfig.PID)
@Designate(ocd = ProjectServiceConfig.class)
public class ProjectService {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectService.class);

    @Reference(target = "(osgi.jdbc.driver.class=org.h2.Driver)")
    private DataSourceFactory dataSourceFactory;

    @Reference
    private BlobStore blobs;

    @Reference
    private WorkerLauncher launcher;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + MessageBus.ROLE + "=" + Topics.COORDINATOR + ")")
    private volatile MessageBus bus;

    private volatile String httpBase;

    @Reference(service = HttpServiceRuntime.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setRuntime(Map<String, Object> properties) {
        httpBase = Endpoints.baseUrl(properties);
    }

    void unsetRuntime(Map<String, Object> properties) {
        // keep the last known address: it is only a default
    }

    private final Map<String, AggregationStrategy> strategies = Map.of(ProjectSpec.KBATCH_SYNC, new KBatchSyncSgd());
    private final Metrics metrics = new Metrics();

    private Database db;
    private Scheduler scheduler;
    private TrainerSession trainer;
    private Path workDir;
    private volatile String publicUrl;
    private ExecutorService background;
    private ExecutorService evaluations;
    private ScheduledExecutorService ticks;

    @Activate
    void activate(BundleContext context, ProjectServiceConfig config) throws SQLException, IOException {
        Path data = Path.of(Optional.ofNullable(context.getProperty("daig.data.dir")).orElse("daig-data"));
        workDir = data.resolve("coordinator");
        Files.createDirectories(workDir);
        String url = config.jdbcUrl().isBlank()
                ? "jdbc:h2:" + workDir.resolve("state").toAbsolutePath() + ";WRITE_DELAY=0" // durable at commit, see docs/operations.md
                : config.jdbcUrl();
        Properties props = new Properties();
        props.setProperty(DataSourceFactory.JDBC_URL, url);
        if (!config.jdbcUser().isBlank()) {
            props.setProperty(DataSourceFactory.JDBC_USER, config.jdbcUser());
            props.setProperty(DataSourceFactory.JDBC_PASSWORD, config.jdbcPassword());
        }
        DataSource source = dataSourceFactory.createDataSource(props);
        try {
            db = new Database(source, url.replaceAll("password=[^;&]*", "password=***"));
        } catch (SQLException e) {
            throw new SQLException("cannot open the coordinator's database " + url + ": " + e.getMessage()
                    + " (is another coordinator using the same data folder?)", e);
        }
        trainer = new TrainerSession(launcher, new WorkerLimits(config.workerHeap(), config.workerThreads(), false));
        background = Executors.newSingleThreadExecutor(named("daig-prepare"));
        background.execute(this::prewarm);
        evaluations = Executors.newSingleThreadExecutor(named("daig-evaluate"));
        scheduler = new Scheduler(db, settings(config), System::currentTimeMillis, this::aggregate, new Listener(), this::blobBaseUrl);
        publicUrl = config.publicUrl();
        scheduler.load();
        List<ProjectRow> stored = rows();
        for (ProjectRow row : stored) {
            if (row.state() == ProjectState.PREPARING) {
                LOG.info("Project {} was being prepared when the coordinator stopped; preparing it again", row.id());
                background.execute(() -> prepare(row));
            } else if (row.validationRows() > 0) { // versions made before a restart but not yet evaluated
                for (VersionRow v : db.transaction(c -> ProjectStore.versions(c, row.id()))) {
                    if (Double.isNaN(v.loss())) {
                        evaluations.execute(() -> evaluate(row, v));
                    }
                }
            }
        }
        ticks = Executors.newSingleThreadScheduledExecutor(named("daig-leases"));
        ticks.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        LOG.info("Projects: database {} (schema {}), {} project(s) in it", db.url(), db.schemaVersion(), stored.size());
    }

    /** Starts the trainer worker ahead of the first submission, whose checks need it (JVM and ND4J start: seconds). */
    private void prewarm() {
        try {
            trainer.call("hello", Map.of(), null);
        } catch (WorkerException e) {
            LOG.warn("The coordinator's trainer worker does not start: {} (projects cannot be checked until it does)", e.getMessage());
        }
    }

    @Modified
    void modified(ProjectServiceConfig config) {
        scheduler.configure(settings(config));
        publicUrl = config.publicUrl();
    }

    private static Scheduler.Settings settings(ProjectServiceConfig c) {
        return new Scheduler.Settings(new LeaseTimeouts(c.initialLeaseSeconds() * 1000L, c.minLeaseSeconds() * 1000L,
                c.maxLeaseSeconds() * 1000L, c.leaseFactor()), c.normFactor(), 500);
    }

    @Deactivate
    void deactivate() {
        ticks.shutdownNow();
        background.shutdownNow();
        evaluations.shutdownNow();
        try {
            background.awaitTermination(10, TimeUnit.SECONDS);
            evaluations.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        trainer.close();
        db.close();
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private void tick() {
        try {
            metrics.leasesExpired.addAndGet(scheduler.expire());
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Checking lease deadlines failed: {}", e.toString());
        }
    }

    /** Where providers fetch blobs. */
    String blobBaseUrl() {
        String base = publicUrl != null && !publicUrl.isBlank() ? publicUrl : httpBase;
        if (base == null) {
            return null;
        }
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/v1/blobs/";
    }

    // ---------------------------------------------------------------- submissions

    /** The answer to a submission: the new project, or every problem found. */
    public record Submission(ProjectView project, List<Problem> problems) {
    }

    /**
     * Checks a submission completely (settings, blobs, the model in the trainer, the data
     * against the model) and, if nothing is wrong, creates the project and prepares it in the
     * background. A refused submission leaves nothing behind.
     */
    public Submission submit(ProjectSpec submitted) throws SQLException {
        ProjectSpec spec = submitted.withDefaults();
        List<Problem> problems = new ArrayList<>(checkSettings(spec));
        Map<String, String> present = new LinkedHashMap<>();
        for (String[] blob : new String[][] { { "model", spec.model() }, { "x", spec.x() }, { "y", spec.y() } }) {
            if (!BlobStore.isValidId(blob[1])) {
                problems.add(new Problem(blob[0], "'" + blob[1] + "' is not a blob id: upload the file first (PUT /api/v1/blobs/<sha256>) "
                        + "and give its lower-case hex SHA-256"));
            } else if (blobs.find(blob[1]).isEmpty()) {
                problems.add(new Problem(blob[0], "blob " + blob[1] + " is not on the coordinator: upload it first"));
            } else {
                present.put(blob[0], blob[1]);
            }
        }
        if (present.size() == 3) {
            problems.addAll(checkWithTrainer(spec));
        }
        if (!problems.isEmpty()) {
            metrics.submissionsRefused.incrementAndGet();
            LOG.info("Refused a project '{}': {}", spec.name(), problems.stream().map(p -> p.field() + ": " + p.message()).collect(Collectors.joining("; ")));
            return new Submission(null, problems);
        }
        ProjectRow row = scheduler.create(spec);
        LOG.info("Project {} '{}' accepted: {} tasks, K={}, {} epochs, batch {}, {} pass(es); preparing", row.id(), spec.name(),
                spec.totalTasks(), spec.taskSize(), spec.epochs(), spec.batchSize(), spec.passes());
        background.execute(() -> prepare(row));
        return new Submission(view(row), List.of());
    }

    private List<Problem> checkSettings(ProjectSpec s) {
        List<Problem> problems = new ArrayList<>();
        if (s.name() == null || s.name().isBlank() || s.name().length() > 200) {
            problems.add(new Problem("name", "give the project a name of 1-200 characters"));
        }
        range(problems, "epochs", s.epochs(), 1, 10_000);
        range(problems, "batchSize", s.batchSize(), 1, 1 << 20);
        range(problems, "totalTasks", s.totalTasks(), 1, 100_000);
        if (s.taskSize() < 1 || s.taskSize() > Math.max(1, s.totalTasks())) {
            problems.add(new Problem("taskSize", "is " + s.taskSize() + "; it must be between 1 and totalTasks (" + s.totalTasks() + ")"));
        }
        range(problems, "maxContributors", s.maxContributors(), 1, 100_000);
        if (!(s.validationRate() >= 0 && s.validationRate() <= 0.9)) {
            problems.add(new Problem("validationRate", "is " + s.validationRate() + "; use a fraction from 0 to 0.9 (e.g. 0.1)"));
        }
        range(problems, "passes", s.passes(), 1, 10_000);
        if (!strategies.containsKey(s.strategy())) {
            problems.add(new Problem("strategy", "'" + s.strategy() + "' is not available; choose one of " + strategies.keySet()));
        }
        return problems;
    }

    private static void range(List<Problem> problems, String field, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(new Problem(field, "is " + value + "; it must be between " + min + " and " + max));
        }
    }

    private List<Problem> checkWithTrainer(ProjectSpec spec) {
        Map<String, Path> files = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        try {
            files.put("model", blobs.file(spec.model()));
            files.put("x", blobs.file(spec.x()));
            files.put("y", blobs.file(spec.y()));
            WorkerAnswer answer = trainer.call("check", Map.of("model", files.get("model").toString(), "x", files.get("x").toString(),
                    "y", files.get("y").toString()), null);
            @SuppressWarnings("unchecked")
            List<String> found = (List<String>) answer.fields().getOrDefault("problems", List.of());
            for (String message : found) {
                problems.add(attribute(message, files));
            }
            long rows = (long) answer.number("rows");
            long train = rows - (long) Math.floor(rows * spec.validationRate());
            if (found.isEmpty() && train < spec.totalTasks()) {
                problems.add(new Problem("totalTasks", "is " + spec.totalTasks() + " but only " + train
                        + " rows are left for training after validation: use at most " + train + " tasks"));
            }
        } catch (IOException | WorkerException e) {
            problems.add(new Problem("model", "could not be checked: " + e.getMessage()));
        }
        return problems;
    }

    /** Puts the field names in place of the blob files' paths, which mean nothing to a requestor. */
    private static Problem attribute(String message, Map<String, Path> files) {
        String field = "data";
        String text = message;
        for (Map.Entry<String, Path> file : files.entrySet()) {
            String path = file.getValue().toString();
            String name = file.getValue().getFileName().toString();
            if (text.contains(path) || text.contains(name)) {
                field = field.equals("data") ? file.getKey() : field;
                text = text.replace(path, file.getKey()).replace(name, file.getKey());
            }
        }
        return new Problem(field, text);
    }

    /** Cuts the shards, stores them and the initial weights, then starts the first round. */
    private void prepare(ProjectRow row) {
        Path dir = workDir.resolve("prepare").resolve(row.id());
        try {
            ProjectSpec spec = row.spec();
            WorkerAnswer cut = trainer.call("cut", Map.of("x", blobs.file(spec.x()).toString(), "y", blobs.file(spec.y()).toString(),
                    "shards", spec.totalTasks(), "validationRate", spec.validationRate(), "dir", dir.toString()), null);
            @SuppressWarnings("unchecked")
            List<Number> rows = (List<Number>) cut.fields().get("rows");
            List<ShardRow> shards = new ArrayList<>();
            long trainRows = 0;
            for (int i = 0; i < rows.size(); i++) {
                String x = blobs.importFile(dir.resolve("x-" + i + ".npy")).id();
                String y = blobs.importFile(dir.resolve("y-" + i + ".npy")).id();
                shards.add(new ShardRow(i, x, y, rows.get(i).longValue()));
                trainRows += rows.get(i).longValue();
            }
            long validationRows = (long) cut.number("validationRows");
            String valX = validationRows > 0 ? blobs.importFile(dir.resolve("x-val.npy")).id() : null;
            String valY = validationRows > 0 ? blobs.importFile(dir.resolve("y-val.npy")).id() : null;
            WorkerAnswer loaded = trainer.call("load", Map.of("model", blobs.file(spec.model()).toString()), null);
            float[] initial = trainer.call("params", Map.of(), null).payload();
            String params = storeVector(initial);
            scheduler.prepared(row.id(), (long) loaded.number("params"), trainRows, validationRows, valX, valY, shards, params);
            LOG.info("Project {} prepared: {} shards of ~{} rows, {} validation rows, {} parameters", row.id(), shards.size(),
                    trainRows / Math.max(1, shards.size()), validationRows, initial.length);
        } catch (Exception e) {
            LOG.error("Preparing project {} failed: {}", row.id(), e.getMessage());
            try {
                scheduler.fail(row.id(), "preparing failed: " + e.getMessage());
            } catch (SQLException | RuntimeException again) {
                LOG.error("Could not mark project {} failed: {}", row.id(), again.toString());
            }
        } finally {
            deleteTree(dir);
        }
    }

    private String storeVector(float[] values) throws IOException {
        Files.createDirectories(workDir.resolve("tmp"));
        Path temp = Files.createTempFile(workDir.resolve("tmp"), "vector", ".npy");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                VectorFile.write(out, values);
            }
            return blobs.importFile(temp).id();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private float[] readVector(String blob, long expected) throws IOException {
        try (InputStream in = blobs.open(blob, 0)) {
            return VectorFile.read(in, expected);
        }
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

    // ---------------------------------------------------------------- rounds

    /** The scheduler's round closer: reads the current version and the deltas, aggregates, stores. */
    private String aggregate(ProjectRow project, String currentParams, List<ResultRow> results) throws IOException {
        long start = System.nanoTime();
        float[] current = readVector(currentParams, project.paramCount());
        List<AggregationStrategy.Update> updates = new ArrayList<>();
        for (ResultRow r : results) {
            updates.add(new AggregationStrategy.Update() {
                @Override
                public long samples() {
                    return r.samples();
                }

                @Override
                public float[] delta() throws IOException {
                    return readVector(r.deltaBlob(), project.paramCount());
                }
            });
        }
        float[] next = strategies.get(project.spec().strategy()).aggregate(current, updates);
        String id = storeVector(next);
        metrics.rounds.incrementAndGet();
        metrics.aggregationNanos.addAndGet(System.nanoTime() - start);
        return id;
    }

    private final class Listener implements Scheduler.Listener {
        @Override
        public void versionCreated(ProjectRow project, VersionRow version) {
            evaluations.execute(() -> evaluate(project, version));
        }

        @Override
        public void stateChanged(ProjectRow project) {
            LOG.debug("Project {} state {}", project.id(), project.state());
        }
    }

    /** Measures a new version on the validation set, stores the figures and publishes the progress event. */
    private void evaluate(ProjectRow project, VersionRow version) {
        double loss = Double.NaN;
        double accuracy = Double.NaN;
        if (project.validationRows() > 0) {
            try {
                trainer.call("load", Map.of("model", blobs.file(project.spec().model()).toString()), null);
                float[] params = readVector(version.paramsBlob(), project.paramCount());
                WorkerAnswer answer = trainer.call("evaluate", Map.of("x", blobs.file(project.validationX()).toString(), "y",
                        blobs.file(project.validationY()).toString()), params);
                loss = answer.number("loss");
                accuracy = answer.number("accuracy");
                double l = loss;
                double a = accuracy;
                db.transaction(c -> {
                    ProjectStore.updateEvaluation(c, project.id(), version.version(), l, a);
                    return null;
                });
            } catch (Exception e) {
                LOG.warn("Project {}: evaluating version {} failed: {}", project.id(), version.version(), e.getMessage());
            }
        }
        Progress progress = progress(project, version, loss, accuracy);
        MessageBus current = bus;
        if (current != null) {
            current.publish(TaskTopics.progress(current.clientId(), project.id()), progress, true);
        }
        if (version.version() > 0) {
            LOG.info("Project {}: version {}/{}  validation loss {}  accuracy {}  ({} contributors, {} samples/s)", project.id(),
                    version.version(), project.totalRounds(), fmt(loss), fmt(accuracy), version.contributors(),
                    fmt(progress.samplesPerSecond()));
        }
    }

    private Progress progress(ProjectRow project, VersionRow version, double loss, double accuracy) {
        double eta = scheduler.live(project.id()).map(Scheduler.Live::etaSeconds).orElse(project.state().isFinal() ? 0.0 : -1.0);
        double rate = version.roundMillis() > 0 ? version.samples() * project.spec().epochs() * 1000.0 / version.roundMillis() : 0;
        return new Progress(project.id(), version.version() - 1, version.version(), project.totalRounds(), loss, accuracy,
                version.trainLoss(), version.contributors(), rate, eta, version.createdAt());
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    // ---------------------------------------------------------------- task exchange

    public Optional<Task> lease(String providerId, long maxParams) throws SQLException {
        Optional<Task> task = scheduler.lease(providerId, maxParams);
        task.ifPresent(t -> metrics.leases.incrementAndGet());
        return task;
    }

    /**
     * Takes a result: reads its delta from the blob store, refuses a wrong length or NaN/Inf
     * (naming the provider in the log), then lets the scheduler decide.
     */
    public Scheduler.Outcome result(String providerId, TaskResult result) throws Exception {
        long params = scheduler.paramCount(result.projectId());
        Scheduler.Outcome outcome;
        if (params < 0) {
            outcome = scheduler.submit(providerId, result, 0); // finished or unknown: the scheduler says which
        } else if (!BlobStore.isValidId(result.delta()) || blobs.find(result.delta()).isEmpty()) {
            outcome = new Scheduler.Outcome(TaskReply.Kind.REFUSED, "delta blob " + result.delta() + " is not on the coordinator: upload it before committing the result", 0);
        } else {
            float[] delta;
            String problem = null;
            double norm = 0;
            try {
                delta = readVector(result.delta(), params);
                for (int i = 0; i < delta.length && problem == null; i++) {
                    if (!Float.isFinite(delta[i])) {
                        problem = "its delta has " + delta[i] + " at index " + i;
                    }
                    norm += (double) delta[i] * delta[i];
                }
            } catch (IOException e) {
                problem = "its delta " + e.getMessage();
            }
            if (problem != null) {
                LOG.warn("Refused a result from provider {} for project {} shard {}: {}", providerId, result.projectId(), result.shard(), problem);
                outcome = new Scheduler.Outcome(TaskReply.Kind.REFUSED, problem, 0);
            } else {
                outcome = scheduler.submit(providerId, result, Math.sqrt(norm));
            }
        }
        metrics.count(outcome.kind());
        return outcome;
    }

    /**
     * How soon a provider that got no task should ask again: short, because a round's tasks open
     * all at once when the previous round closes, and an idle volunteer should join at once.
     */
    public long retryAfterMillis() {
        return scheduler.settings().retryAfterMillis();
    }

    public boolean release(String providerId, String leaseId, String reason) throws SQLException {
        return scheduler.release(providerId, leaseId, reason);
    }

    public void providerGone(String providerId) {
        try {
            scheduler.providerGone(providerId);
        } catch (SQLException e) {
            LOG.warn("Releasing the tasks of provider {} failed: {}", providerId, e.toString());
        }
    }

    // ---------------------------------------------------------------- requestor and operator views

    private List<ProjectRow> rows() throws SQLException {
        return db.transaction(ProjectStore::projects);
    }

    public List<ProjectView> projects() throws SQLException {
        List<ProjectView> views = new ArrayList<>();
        for (ProjectRow row : rows()) {
            views.add(view(row));
        }
        return views;
    }

    public Optional<ProjectView> project(String id) throws SQLException {
        Optional<ProjectRow> row = row(id);
        return row.isPresent() ? Optional.of(view(row.get())) : Optional.empty();
    }

    private Optional<ProjectRow> row(String id) throws SQLException {
        return rows().stream().filter(r -> r.id().equals(id)).findFirst();
    }

    private ProjectView view(ProjectRow stored) throws SQLException {
        Optional<Scheduler.Live> live = scheduler.live(stored.id());
        ProjectRow row = live.map(Scheduler.Live::row).orElse(stored);
        List<VersionRow> versions = db.transaction(c -> ProjectStore.versions(c, row.id()));
        Progress latest = null;
        for (int i = versions.size() - 1; i >= 0 && latest == null; i--) {
            VersionRow v = versions.get(i);
            if (v.version() > 0 && (!Double.isNaN(v.loss()) || row.validationRows() == 0)) {
                latest = progress(row, v, v.loss(), v.accuracy());
            }
        }
        int version = versions.isEmpty() ? 0 : versions.get(versions.size() - 1).version();
        return new ProjectView(row.id(), row.spec(), row.state(), row.message(), row.paramCount(), row.trainRows(),
                row.validationRows(), row.round(), row.totalRounds(), version, live.map(Scheduler.Live::contributors).orElse(0),
                latest, live.map(Scheduler.Live::etaSeconds).orElse(row.state() == ProjectState.COMPLETED ? 0.0 : -1.0),
                row.createdAt());
    }

    /** Every version of a project as progress events (loss/accuracy NaN until evaluated). */
    public List<Progress> versions(String id) throws SQLException {
        ProjectRow row = row(id).orElseThrow(() -> new IllegalStateException("no project " + id));
        List<Progress> out = new ArrayList<>();
        for (VersionRow v : db.transaction(c -> ProjectStore.versions(c, id))) {
            out.add(progress(row, v, v.loss(), v.accuracy()));
        }
        return out;
    }

    /** Every accepted result of a project: who trained which shard of which round, and the delta used. */
    public List<ResultRow> results(String id) throws SQLException {
        return db.transaction(c -> ProjectStore.allResults(c, id));
    }

    public ProjectRow pause(String id) throws SQLException {
        return scheduler.pause(id);
    }

    public ProjectRow resume(String id) throws SQLException {
        return scheduler.resume(id);
    }

    public ProjectRow cancel(String id) throws SQLException {
        return scheduler.cancel(id);
    }

    /** A model file of version {@code version} (-1: newest) as "zip" (DL4J) or "h5" (Keras); made once, then kept. */
    public Path export(String id, int version, String format) throws Exception {
        if (!format.equals("zip") && !format.equals("h5") && !format.equals("npy")) {
            throw new IllegalArgumentException("format '" + format + "' is not offered: use zip (DL4J), h5 (Keras) or npy (parameters)");
        }
        ProjectRow row = row(id).orElseThrow(() -> new IllegalStateException("no project " + id));
        List<VersionRow> versions = db.transaction(c -> ProjectStore.versions(c, id));
        if (versions.isEmpty()) {
            throw new IllegalStateException("project " + id + " has no model yet (it is " + row.state().name().toLowerCase(Locale.ROOT) + ")");
        }
        VersionRow chosen = version < 0 ? versions.get(versions.size() - 1)
                : versions.stream().filter(v -> v.version() == version).findFirst().orElseThrow(() -> new IllegalStateException(
                        "project " + id + " has versions 0-" + versions.get(versions.size() - 1).version() + ", not " + version));
        if (format.equals("npy")) {
            return blobs.file(chosen.paramsBlob());
        }
        Path file = workDir.resolve("exports").resolve(id + "-v" + chosen.version() + "." + format);
        if (Files.exists(file)) {
            return file;
        }
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
        try {
            trainer.call("load", Map.of("model", blobs.file(row.spec().model()).toString()), null);
            trainer.call("set", Map.of(), readVector(chosen.paramsBlob(), row.paramCount()));
            trainer.call("export", Map.of(format, temp.toString()), null);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        return file;
    }

    public List<LeaseRow> leases() {
        return scheduler.activeLeases();
    }

    public List<CreditRow> credits() throws SQLException {
        return db.transaction(ProjectStore::credits);
    }

    public long acceptedResults() throws SQLException {
        return db.transaction(ProjectStore::resultCount);
    }

    public boolean databaseHealthy() {
        return db.isHealthy();
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Counters for /metrics. */
    public static final class Metrics {
        public final AtomicLong leases = new AtomicLong();
        public final AtomicLong leasesExpired = new AtomicLong();
        public final AtomicLong rounds = new AtomicLong();
        public final AtomicLong aggregationNanos = new AtomicLong();
        public final AtomicLong submissionsRefused = new AtomicLong();
        public final Map<TaskReply.Kind, AtomicLong> results = new java.util.EnumMap<>(TaskReply.Kind.class);

        Metrics() {
            for (TaskReply.Kind k : TaskReply.Kind.values()) {
                results.put(k, new AtomicLong());
            }
        }

        void count(TaskReply.Kind kind) {
            results.get(kind).incrementAndGet();
        }
    }
}
