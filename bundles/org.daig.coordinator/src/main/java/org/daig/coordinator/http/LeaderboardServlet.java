package org.daig.coordinator.http;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.coordinator.access.Callers;
import org.daig.coordinator.service.ProjectCatalog;
import org.daig.coordinator.store.Records.CreditRow;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The credits leaderboard, by account (a volunteer's devices together), which keeps volunteers
 * coming back: {@code GET /api/v1/credits/leaderboard} gives anyone signed in the first
 * {@value #TOP} accounts that did not opt out, and their own rank and whether they are listed;
 * {@code POST /api/v1/credits/leaderboard/me?listed=false} keeps the caller's account out of the
 * public list ({@code true} lists it again). Ranks count every account with credits, listed or
 * not, so opting out changes nobody's rank. Device tokens read it but cannot change the listing.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/credits/leaderboard",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/credits/leaderboard/me",
        "osgi.http.whiteboard.servlet.name=daig-leaderboard" })
public class LeaderboardServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** How many listed accounts the public list shows. */
    static final int TOP = 100;

    @Reference
    private transient ProjectCatalog projects;

    /** Whose devices earned the credits; without it (a grid without accounts) there is no leaderboard by account. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile transient Accounts accounts;

    /** For Declarative Services. */
    public LeaderboardServlet() {
    }

    /** Outside DS (tests). */
    LeaderboardServlet(ProjectCatalog projects, Accounts accounts) {
        this.projects = projects;
        this.accounts = accounts;
    }

    /** One account's line: its rank among all accounts with credits. */
    record Entry(int rank, String account, long tasks, double credits) {
    }

    /** The caller's own line (rank 0: no credits yet) and whether others see it. */
    record Own(String account, int rank, long tasks, double credits, boolean listed) {
    }

    /** What GET answers. */
    record Board(int accounts, List<Entry> entries, Own you) {
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity caller = Auth.identity(request);
        if (caller == null) {
            Auth.unauthorized(response);
            return;
        }
        if (!"/api/v1/credits/leaderboard".equals(request.getServletPath())) {
            Json.error(response, 404, "unknown resource " + request.getRequestURI() + ": GET /api/v1/credits/leaderboard");
            return;
        }
        try {
            Json.send(response, 200, board(account(caller)));
        } catch (SQLException e) {
            Json.error(response, 500, "the coordinator could not read the credits: " + e.getMessage());
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity caller = Auth.identity(request);
        if (caller == null) {
            Auth.unauthorized(response);
            return;
        }
        if (!"/api/v1/credits/leaderboard/me".equals(request.getServletPath())) {
            Json.error(response, 404, "unknown resource " + request.getRequestURI() + ": POST /api/v1/credits/leaderboard/me?listed=false");
            return;
        }
        if (Callers.isDevice(caller)) {
            Json.error(response, 403, "a device's token cannot change its account's listing: log in as the volunteer (daig login)");
            return;
        }
        String listed = request.getParameter("listed");
        if (!"true".equals(listed) && !"false".equals(listed)) {
            Json.error(response, 400, "listed: true (shown on the public leaderboard) or false (kept out), not '"
                    + (listed == null ? "" : listed.length() > 20 ? listed.substring(0, 20) + "…" : listed) + "'");
            return;
        }
        try {
            projects.listOnLeaderboard(caller.user(), Boolean.parseBoolean(listed));
            Json.send(response, 200, board(caller.user()).you());
        } catch (SQLException e) {
            Json.error(response, 500, "the coordinator could not store your choice: " + e.getMessage());
        }
    }

    private String account(Identity caller) {
        Accounts book = accounts;
        if (Callers.isDevice(caller)) {
            return book == null ? null : book.deviceAccount(caller.device()).orElse(null);
        }
        return caller.user();
    }

    /** Credits summed by account, ranked (most first; equal credits by name); the public list leaves out who opted out. */
    Board board(String you) throws SQLException {
        Accounts book = accounts;
        Map<String, long[]> tasks = new LinkedHashMap<>();
        Map<String, Double> credits = new LinkedHashMap<>();
        for (CreditRow row : projects.credits()) {
            String account = book == null ? null : book.deviceAccount(row.providerId()).orElse(null);
            if (account != null) {
                tasks.computeIfAbsent(account, a -> new long[1])[0] += row.tasks();
                credits.merge(account, row.amount(), Double::sum);
            }
        }
        List<String> ranked = new ArrayList<>(credits.keySet());
        ranked.sort(Comparator.comparing((String a) -> credits.get(a)).reversed().thenComparing(Comparator.naturalOrder()));
        Set<String> unlisted = projects.unlistedAccounts();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < ranked.size() && entries.size() < TOP; i++) {
            String a = ranked.get(i);
            if (!unlisted.contains(a)) {
                entries.add(new Entry(i + 1, a, tasks.get(a)[0], credits.get(a)));
            }
        }
        Own own = null;
        if (you != null) {
            int at = ranked.indexOf(you);
            own = new Own(you, at + 1, at < 0 ? 0 : tasks.get(you)[0], at < 0 ? 0 : credits.get(you), !unlisted.contains(you));
        }
        return new Board(ranked.size(), entries, own);
    }
}
