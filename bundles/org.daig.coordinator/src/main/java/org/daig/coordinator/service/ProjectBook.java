package org.daig.coordinator.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.daig.api.blob.BlobStore;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.daig.api.cluster.Leadership;
import org.daig.api.project.ProjectState;
import org.daig.coordinator.http.Endpoints;
import org.daig.coordinator.schedule.LeaseTimeouts;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
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
 * The coordinator's projects at rest and in motion: opens the database (H2 by default), runs the
 * {@link Scheduler} on it, ends leases past their deadline, and evaluates each new version. The
 * other project components (submissions, preparation, views, export, the task desk) share it as
 * {@link ProjectRecords}. Projects survive restarts: everything lives in the database and the
 * blob store.
 */
@Component(service = ProjectRecords.class, immediate = true, configurationPid = ProjectServiceConfig.PID)
@Designate(ocd = ProjectServiceConfig.class)
public class ProjectBook implements ProjectRecords {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectBook.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + MessageBus.ROLE + "=" + Topics.COORDINATOR + ")")
    private volatile MessageBus bus;

    private volatile String httpBase;
    private volatile String publicUrl;

    private final CoordinatorMetrics metrics;
    private final Database db;
    private final Scheduler scheduler;
    private final ExecutorService evaluations = Executors.newSingleThreadExecutor(named("daig-evaluate"));
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(named("daig-leases"));
    /** Makes rounds' next versions off the scheduler's lock; two, so that one big model's aggregation does not hold up every project. */
    private final ExecutorService roundCloses = Executors.newFixedThreadPool(2, named("daig-round-close"));

    @Activate
    public ProjectBook(BundleContext context, ProjectServiceConfig config,
            @Reference(name = "dataSourceFactory", target = "(osgi.jdbc.driver.class=org.h2.Driver)") DataSourceFactory dataSourceFactory,
            @Reference(name = "blobs") BlobStore blobs, @Reference(name = "trainer") CoordinatorTrainer trainer,
            @Reference(name = "aggregation") RoundAggregation aggregation, @Reference(name = "metrics") CoordinatorMetrics metrics,
            @Reference(name = "leadership") Leadership leadership) throws SQLException, IOException {
        this.metrics = metrics;
        Path workDir = WorkDir.of(context);
        Files.createDirectories(workDir);
        db = open(dataSourceFactory, config, workDir);
        Evaluator evaluator = new Evaluator(this, trainer, blobs, new VectorBlobs(blobs, workDir.resolve("tmp")), () -> bus, evaluations);
        scheduler = new Scheduler(db, settings(config), System::currentTimeMillis, aggregation, evaluator, this::blobBaseUrl);
        scheduler.closeRoundsWith(roundCloses);
        publicUrl = config.publicUrl();
        scheduler.load();
        List<ProjectRow> stored = db.transaction(ProjectStore::projects);
        for (ProjectRow row : stored) {
            if (row.state() != ProjectState.PREPARING) { // versions made before a restart but not yet evaluated
                evaluator.catchUp(row);
            }
        }
        ticks.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        LOG.info("Projects: database {} (schema {}), {} project(s) in it; this coordinator {}", db.url(), db.schemaVersion(), stored.size(),
                leadership.how());
    }

    /**
     * H2's page cache: an eighth of the heap, 16 to 256 MiB (H2's own default is 16 MiB). With
     * thousands of providers the indexes each result reads and writes (results by delta, credits
     * by provider) are spread over pages that a small cache keeps reading and decoding again.
     */
    static long h2CacheKiB(long maxHeapBytes) {
        long mib = Math.max(16, Math.min(256, maxHeapBytes / 8 / (1024 * 1024)));
        return mib * 1024;
    }

    private static Database open(DataSourceFactory factory, ProjectServiceConfig config, Path workDir) throws SQLException {
        String url = config.jdbcUrl().isBlank()
                ? "jdbc:h2:" + workDir.resolve("state").toAbsolutePath() + ";WRITE_DELAY=0" // durable at commit, see docs/operations.md
                        + ";CACHE_SIZE=" + h2CacheKiB(Runtime.getRuntime().maxMemory())
                : config.jdbcUrl();
        try {
            return new Database(dataSource(factory, config, url), shownUrl(url));
        } catch (SQLException e) {
            throw new SQLException("cannot open the coordinator's database " + shownUrl(url) + ": " + e.getMessage()
                    + " (is another coordinator using the same data folder?)", e);
        }
    }

    /** The configured database (jdbcUrl, not the H2 default). */
    static DataSource dataSource(DataSourceFactory factory, ProjectServiceConfig config) throws SQLException {
        return dataSource(factory, config, config.jdbcUrl().trim());
    }

    private static DataSource dataSource(DataSourceFactory factory, ProjectServiceConfig config, String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty(DataSourceFactory.JDBC_URL, url);
        if (!config.jdbcUser().isBlank()) {
            props.setProperty(DataSourceFactory.JDBC_USER, config.jdbcUser());
            props.setProperty(DataSourceFactory.JDBC_PASSWORD, config._jdbcPassword());
        }
        return factory.createDataSource(props);
    }

    /** A JDBC URL fit for logs: without its password. */
    static String shownUrl(String url) {
        return url.replaceAll("password=[^;&]*", "password=***");
    }

    @Reference(service = HttpServiceRuntime.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setRuntime(Map<String, Object> properties) {
        httpBase = Endpoints.baseUrl(properties);
    }

    void unsetRuntime(Map<String, Object> properties) {
        // keep the last known address: it is only a default
    }

    @Modified
    void modified(ProjectServiceConfig config) {
        scheduler.configure(settings(config));
        publicUrl = config.publicUrl();
    }

    static Scheduler.Settings settings(ProjectServiceConfig c) {
        return new Scheduler.Settings(new LeaseTimeouts(c.initialLeaseSeconds() * 1000L, c.minLeaseSeconds() * 1000L,
                c.maxLeaseSeconds() * 1000L, c.leaseFactor()), c.normFactor(), 500);
    }

    @Deactivate
    void deactivate() {
        ticks.shutdownNow();
        roundCloses.shutdown(); // a round being closed may finish; one that does not is closed again at the next start
        evaluations.shutdownNow();
        try {
            roundCloses.awaitTermination(10, TimeUnit.SECONDS);
            roundCloses.shutdownNow();
            evaluations.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }

    @Override
    public Database database() {
        return db;
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    private void tick() {
        try {
            metrics.leasesExpired(scheduler.expire());
            scheduler.closeWaitingRounds();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Checking lease deadlines failed: {}", e.toString());
        }
    }

    /** Where providers fetch blobs. */
    String blobBaseUrl() {
        return blobBaseUrl(publicUrl, httpBase);
    }

    static String blobBaseUrl(String publicUrl, String httpBase) {
        String base = publicUrl != null && !publicUrl.isBlank() ? publicUrl : httpBase;
        if (base == null) {
            return null;
        }
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/v1/blobs/";
    }

    static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
