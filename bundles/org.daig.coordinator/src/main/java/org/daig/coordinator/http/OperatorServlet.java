package org.daig.coordinator.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.blob.BlobStore;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.daig.api.task.TaskReply;
import org.daig.coordinator.access.AccessConfig;
import org.daig.coordinator.access.Callers;
import org.daig.coordinator.service.CoordinatorMetrics;
import org.daig.coordinator.service.ProjectCatalog;
import org.daig.coordinator.store.Records.CreditRow;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What operators look at: {@code /health} (200 when the database and the bus are fine, else 503,
 * with each check), {@code /metrics} (Prometheus text format), {@code /status} (a page for
 * people), {@code /api/v1/leases}, {@code /api/v1/credits} and {@code /api/v1/credits/recent} (the newest tasks
 * credited to the devices the caller may see) (JSON).
 *
 * <p>Only {@code /health} is open. The others need an admin (401 without an identity, 403 for
 * anyone else), except that {@code /metrics} and {@code /status} may be opened by configuration
 * ({@link AccessConfig}) and that anyone signed in reads their own credits: a provider's device
 * token its own line, a volunteer's token the lines of their account's devices.
 */
@Component(service = Servlet.class, configurationPid = AccessConfig.PID, property = {
        "osgi.http.whiteboard.servlet.pattern=/health",
        "osgi.http.whiteboard.servlet.pattern=/metrics",
        "osgi.http.whiteboard.servlet.pattern=/status",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/leases",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/credits",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/credits/recent",
        "osgi.http.whiteboard.servlet.name=daig-operator" })
public class OperatorServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** How many of the newest credited tasks {@code /api/v1/credits/recent} lists. */
    static final int RECENT = 50;

    @Reference
    private transient ProjectCatalog projects;

    @Reference
    private transient CoordinatorMetrics metrics;

    @Reference
    private transient ProviderDirectory directory;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + MessageBus.ROLE + "=" + Topics.COORDINATOR + ")")
    private volatile transient MessageBus bus;

    /** Whose devices earned the credits; without it (a grid without accounts) the account column is empty. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient Accounts accounts;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient BlobStore blobs;

    private volatile boolean openMetrics;
    private volatile boolean openStatus;

    /** For Declarative Services. */
    public OperatorServlet() {
    }

    /** Outside DS (tests): /metrics and /status closed. */
    public OperatorServlet(ProjectCatalog projects, CoordinatorMetrics metrics, ProviderDirectory directory, Accounts accounts,
            BlobStore blobs) {
        this.projects = projects;
        this.metrics = metrics;
        this.directory = directory;
        this.accounts = accounts;
        this.blobs = blobs;
    }

    @Activate
    @Modified
    void configure(AccessConfig config) {
        openMetrics = config.openMetrics();
        openStatus = config.openStatus();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath();
        Identity caller = Auth.identity(request);
        boolean open = path.equals("/health") || path.equals("/metrics") && openMetrics || path.equals("/status") && openStatus;
        if (!open && caller == null) {
            Auth.unauthorized(response);
            return;
        }
        boolean credits = path.equals("/api/v1/credits") || path.equals("/api/v1/credits/recent");
        if (!open && !Callers.isAdmin(caller) && !credits) {
            Json.error(response, 403, path + " is for the grid's operators: it needs an admin's token");
            return;
        }
        try {
            switch (path) {
            case "/health" -> health(response);
            case "/metrics" -> metrics(response);
            case "/status" -> page(response);
            case "/api/v1/leases" -> Json.send(response, 200, projects.leases());
            case "/api/v1/credits" -> Json.send(response, 200, creditsFor(caller));
            case "/api/v1/credits/recent" -> Json.send(response, 200,
                    projects.recentCredits(creditsFor(caller).stream().map(Credit::providerId).toList(), RECENT));
            default -> Json.error(response, 404, "unknown resource " + request.getRequestURI());
            }
        } catch (Exception e) {
            Json.error(response, 500, "the coordinator could not answer: " + e.getMessage());
        }
    }

    /** One device's credits, and the account it is enrolled to (null if unknown). */
    record Credit(String providerId, String account, long tasks, double amount) {
    }

    /**
     * Credits accrue to the device and to its account: an admin reads every device's line, a
     * volunteer (any person's token) the lines of the devices enrolled to their account, a provider
     * (device token) its own line.
     */
    private List<Credit> creditsFor(Identity caller) throws SQLException {
        if (Callers.isAdmin(caller)) {
            return withAccounts(projects.credits());
        }
        if (Callers.isDevice(caller)) { // its own line only: no need to look up every device's account
            return withAccounts(projects.credits().stream().filter(c -> c.providerId().equals(caller.device())).toList());
        }
        return withAccounts(projects.credits()).stream().filter(c -> caller.user().equals(c.account())).toList();
    }

    private List<Credit> withAccounts(List<CreditRow> rows) {
        Accounts book = accounts;
        return rows.stream().map(c -> new Credit(c.providerId(), book == null ? null : book.deviceAccount(c.providerId()).orElse(null),
                c.tasks(), c.amount())).toList();
    }

    private void health(HttpServletResponse response) throws IOException {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean database = projects.databaseHealthy();
        MessageBus current = bus;
        boolean connected = current != null && current.isConnected();
        BlobStore store = blobs; // none while an S3 bucket has not answered yet
        boolean blobsUp = store != null && store.healthy();
        checks.put("database", database ? "UP" : "DOWN");
        checks.put("bus", connected ? "UP" : "DOWN");
        checks.put("blobs", blobsUp ? "UP" : "DOWN");
        boolean up = database && connected && blobsUp;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        Json.send(response, up ? 200 : 503, body);
    }

    private void metrics(HttpServletResponse response) throws Exception {
        StringBuilder out = new StringBuilder();
        List<ProjectView> all = projects.projects();
        out.append("# HELP daig_projects Projects by state.\n# TYPE daig_projects gauge\n");
        for (ProjectState state : ProjectState.values()) {
            long n = all.stream().filter(p -> p.state() == state).count();
            out.append("daig_projects{state=\"").append(state.name().toLowerCase(Locale.ROOT)).append("\"} ").append(n).append('\n');
        }
        List<ProviderInfo> providers = directory.providers();
        gauge(out, "daig_providers_online", "Providers connected now.", providers.stream().filter(ProviderInfo::online).count());
        gauge(out, "daig_leases_active", "Tasks leased to providers now.", projects.leases().size());
        CoordinatorMetrics m = metrics;
        counter(out, "daig_leases_total", "Tasks leased since start.", m.leases());
        gauge(out, "daig_task_requests_held", "Task requests held until a task appears (idle providers' long polls).", m.requestsHeld());
        counter(out, "daig_leases_expired_total", "Leases that passed their deadline since start.", m.leasesExpired());
        counter(out, "daig_rounds_total", "Rounds closed (versions made) since start.", m.rounds());
        double[] lease = m.leaseSeconds();
        out.append("# HELP daig_lease_seconds How long the coordinator took to decide a task request (the last ")
                .append(CoordinatorMetrics.LATENCY_WINDOW).append(" requests).\n# TYPE daig_lease_seconds summary\n")
                .append("daig_lease_seconds{quantile=\"0.5\"} ").append(lease[0]).append('\n')
                .append("daig_lease_seconds{quantile=\"0.99\"} ").append(lease[1]).append('\n');
        gauge(out, "daig_data_free_bytes", "Space left for the coordinator's data folder (database, blobs unless elsewhere).", dataFreeBytes());
        out.append("# HELP daig_aggregation_seconds_total Time spent aggregating rounds.\n# TYPE daig_aggregation_seconds_total counter\n")
                .append("daig_aggregation_seconds_total ").append(m.aggregationNanos() / 1e9).append('\n');
        counter(out, "daig_submissions_refused_total", "Project submissions refused since start.", m.submissionsRefused());
        out.append("# HELP daig_results_total Results by outcome since start.\n# TYPE daig_results_total counter\n");
        for (Map.Entry<TaskReply.Kind, Long> e : m.results().entrySet()) {
            if (e.getKey() != TaskReply.Kind.TASK && e.getKey() != TaskReply.Kind.NO_TASK && e.getKey() != TaskReply.Kind.RELEASED) {
                out.append("daig_results_total{outcome=\"").append(e.getKey().name().toLowerCase(Locale.ROOT)).append("\"} ")
                        .append(e.getValue()).append('\n');
            }
        }
        out.append("# HELP daig_spot_checks_total Accepted results the coordinator replayed, by outcome.\n"
                + "# TYPE daig_spot_checks_total counter\n");
        m.spotChecks().forEach((outcome, count) -> out.append("daig_spot_checks_total{outcome=\"").append(outcome).append("\"} ")
                .append(count).append('\n'));
        counter(out, "daig_results_accepted_stored", "Accepted results in the database.", projects.acceptedResults());
        response.setStatus(200);
        response.setContentType("text/plain; version=0.0.4");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(out.toString());
    }

    /** The usable space of the file system that holds the data folder; -1 when it cannot be read. */
    private static long dataFreeBytes() {
        try {
            return Files.getFileStore(Path.of(System.getProperty("daig.data.dir", "."))).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private void page(HttpServletResponse response) throws Exception {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">"
                + "<title>DAIG coordinator</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body><h1>DAIG coordinator</h1>");
        MessageBus current = bus;
        html.append("<p>Bus: ").append(current != null && current.isConnected() ? "connected to " + esc(current.brokerUrl()) : "not connected")
                .append(" · <a href=\"/console/\">console</a> · <a href=\"/api/status\">status JSON</a>")
                .append(" · <a href=\"/metrics\">metrics</a> · <a href=\"/health\">health</a></p>");
        html.append("<h2>Projects</h2><table><tr><th>id</th><th>name</th><th>state</th><th>round</th><th>version</th>"
                + "<th>contributors</th><th>validation loss</th><th>accuracy</th><th>ETA</th></tr>");
        for (ProjectView p : projects.projects()) {
            html.append("<tr><td>").append(esc(p.id())).append("</td><td>").append(esc(p.spec().name())).append("</td><td>")
                    .append(p.state()).append(p.message() == null ? "" : ": " + esc(p.message())).append("</td><td>")
                    .append(p.round()).append('/').append(p.totalRounds()).append("</td><td>").append(p.version()).append("</td><td>")
                    .append(p.contributors()).append("</td><td>").append(p.latest() == null ? "-" : num(p.latest().loss()))
                    .append("</td><td>").append(p.latest() == null ? "-" : num(p.latest().accuracy())).append("</td><td>")
                    .append(p.etaSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.0f s", p.etaSeconds())).append("</td></tr>");
        }
        html.append("</table><h2>Providers</h2><table><tr><th>id</th><th>online</th><th>name</th></tr>");
        for (ProviderInfo info : directory.providers()) {
            html.append("<tr><td>").append(esc(info.id())).append("</td><td>").append(info.online()).append("</td><td>")
                    .append(esc(info.name())).append("</td></tr>");
        }
        html.append("</table><h2>Credits</h2><table><tr><th>provider</th><th>account</th><th>tasks</th><th>credit (TFLOP)</th></tr>");
        for (Credit c : withAccounts(projects.credits())) {
            html.append("<tr><td>").append(esc(c.providerId())).append("</td><td>").append(c.account() == null ? "-" : esc(c.account()))
                    .append("</td><td>").append(c.tasks()).append("</td><td>").append(num(c.amount())).append("</td></tr>");
        }
        html.append("</table></body></html>");
        response.setStatus(200);
        response.setContentType("text/html");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(html.toString());
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
