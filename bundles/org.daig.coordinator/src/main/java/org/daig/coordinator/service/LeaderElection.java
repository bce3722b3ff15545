package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.daig.api.cluster.Leadership;
import org.daig.coordinator.http.StandbyServlet;
import org.daig.coordinator.store.LeaderLock;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;

/**
 * Decides whether this process acts for the grid, and registers {@link Leadership} while it does.
 * A coordinator on its H2 file is alone by construction (H2 locks the file) and leads at once. On
 * PostgreSQL, several coordinators may share the database: the one holding the {@link LeaderLock}
 * leads, the others stand by and try again every {@code standbyCheckSeconds}. A leader whose lock
 * session breaks stops leading at once: its scheduler and MQTT connection stop with the service.
 */
@Component(immediate = true, service = {}, configurationPid = ProjectServiceConfig.PID)
public class LeaderElection {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final BundleContext context;
    private final String database;
    private final LeaderLock lock;
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(ProjectBook.named("daig-leader"));
    private ServiceRegistration<Leadership> registration;
    /** While standing by: the 503 answers where the active coordinator serves projects and blobs. */
    private ServiceRegistration<Servlet> standbyAnswers;
    private boolean toldStandingBy;
    private String lastProblem;

    @Activate
    public LeaderElection(BundleContext context, ProjectServiceConfig config,
            @Reference(name = "dataSourceFactory", target = "(osgi.jdbc.driver.class=org.h2.Driver)") DataSourceFactory dataSourceFactory)
            throws SQLException {
        this.context = context;
        boolean shared = config.jdbcUrl().trim().startsWith("jdbc:postgresql:");
        this.database = ProjectBook.shownUrl(config.jdbcUrl());
        this.lock = shared ? new LeaderLock(ProjectBook.dataSource(dataSourceFactory, config)) : null;
        if (!shared) {
            lead("the only coordinator of its database" + (config.jdbcUrl().isBlank() ? " (H2 in the data folder)" : ""));
            return;
        }
        checks.scheduleWithFixedDelay(this::check, 0, Math.max(1, config.standbyCheckSeconds()), TimeUnit.SECONDS);
    }

    private synchronized void check() {
        boolean leading = registration != null;
        boolean holds;
        try {
            holds = lock.tryAcquire();
            lastProblem = null;
        } catch (SQLException | RuntimeException e) {
            holds = false;
            if (!e.toString().equals(lastProblem)) {
                LOG.warn("Cannot reach the database {} for the leader lock: {} (trying again)", database, e.getMessage());
                lastProblem = e.toString();
            }
        }
        if (holds && !leading) {
            lead("holds the leader lock of " + database);
        } else if (!holds && leading) {
            LOG.error("This coordinator lost the leader lock of {}: its scheduler and MQTT connection stop; it stands by", database);
            registration.unregister();
            registration = null;
            standBy();
        } else if (!holds && !toldStandingBy && lastProblem == null) {
            LOG.info("Standing by: another coordinator holds the leader lock of {}; this one takes over when that one stops", database);
            standBy();
        }
    }

    private void standBy() {
        toldStandingBy = true;
        if (standbyAnswers == null) {
            standbyAnswers = StandbyServlet.register(context, database);
        }
    }

    private synchronized void lead(String how) {
        if (standbyAnswers != null) {
            standbyAnswers.unregister(); // before the real servlets come with the leadership
            standbyAnswers = null;
        }
        LOG.info("This coordinator acts for the grid: it {}", how);
        registration = context.registerService(Leadership.class, () -> how, FrameworkUtil.asDictionary(Map.of("how", how)));
        toldStandingBy = false;
    }

    @Deactivate
    synchronized void deactivate() {
        checks.shutdownNow();
        if (standbyAnswers != null) {
            try {
                standbyAnswers.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            standbyAnswers = null;
        }
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        if (lock != null) {
            lock.close();
        }
    }
}
