package org.daig.coordinator.http;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.daig.api.account.Identity;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.daig.coordinator.access.Callers;
import org.daig.coordinator.service.CoordinatorMetrics;
import org.daig.coordinator.service.GridHistory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/v1/grid/history} (an admin's): the grid's last hour, sampled every
 * {@value GridHistory#SAMPLE_SECONDS} s ({@link GridHistory}), so that the console's charts of
 * providers online and of tasks and results per second start before its page was opened.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/grid/history",
        "osgi.http.whiteboard.servlet.name=daig-grid-history" })
public class GridHistoryServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GridHistoryServlet.class);

    @Reference
    private transient CoordinatorMetrics metrics;

    @Reference
    private transient ProviderDirectory directory;

    private final transient GridHistory history = new GridHistory();
    private transient ScheduledExecutorService sampler;

    /** For Declarative Services. */
    public GridHistoryServlet() {
    }

    /** Outside DS (tests): nothing sampled until {@link #sample()}. */
    GridHistoryServlet(CoordinatorMetrics metrics, ProviderDirectory directory) {
        this.metrics = metrics;
        this.directory = directory;
    }

    @Activate
    void activate() {
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daig-grid-history");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, GridHistory.SAMPLE_SECONDS, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        sampler.shutdownNow();
    }

    void sample() {
        try {
            history.add(System.currentTimeMillis(), directory.providers().stream().filter(ProviderInfo::online).count(), metrics);
        } catch (RuntimeException e) {
            LOG.debug("A sample of the grid's history was missed (a gap in the console's charts): {}", e.toString());
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity caller = Auth.identity(request);
        if (caller == null) {
            Auth.unauthorized(response);
            return;
        }
        if (!Callers.isAdmin(caller)) {
            Json.error(response, 403, "/api/v1/grid/history is for the grid's operators: it needs an admin's token");
            return;
        }
        Json.send(response, 200, history.samples());
    }
}
