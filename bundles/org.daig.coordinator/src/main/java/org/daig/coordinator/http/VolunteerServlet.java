package org.daig.coordinator.http;

import java.io.IOException;
import java.sql.SQLException;

import org.daig.api.account.Identity;
import org.daig.coordinator.access.Callers;
import org.daig.coordinator.service.VolunteerReputation;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Volunteer devices' standing, for admins: {@code GET /api/v1/volunteers} (results accepted,
 * invalid results since the last reset, banned, the newest refusal and its reason),
 * {@code GET /api/v1/volunteers/refusals?provider=&verdict=&limit=} (the audit, newest first),
 * {@code POST /api/v1/volunteers/{device}/ban?reason=} (no more tasks for it and its account's
 * devices) and {@code POST /api/v1/volunteers/{device}/reset}, which lifts a ban. Anyone else: 401 or 403.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/volunteers",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/volunteers/*",
        "osgi.http.whiteboard.servlet.name=daig-volunteers" })
public class VolunteerServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String DEVICE = "[A-Za-z0-9._-]{1,64}";

    @Reference
    private transient VolunteerReputation reputation;

    /** For Declarative Services. */
    public VolunteerServlet() {
    }

    /** Outside DS (tests). */
    VolunteerServlet(VolunteerReputation reputation) {
        this.reputation = reputation;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!admin(request, response)) {
            return;
        }
        String info = request.getPathInfo();
        if ("/refusals".equals(info)) {
            refusals(request, response);
            return;
        }
        if (info != null && !info.equals("/")) {
            Json.error(response, 404, "unknown resource " + request.getRequestURI());
            return;
        }
        try {
            Json.send(response, 200, reputation.volunteers());
        } catch (SQLException e) {
            Json.error(response, 500, "the coordinator could not read the volunteers' standing: " + e.getMessage());
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!admin(request, response)) {
            return;
        }
        String info = request.getPathInfo();
        String[] parts = info == null ? new String[0] : info.substring(1).split("/", -1);
        if (parts.length != 2 || !(parts[1].equals("reset") || parts[1].equals("ban")) || !parts[0].matches(DEVICE)) {
            Json.error(response, 404, "unknown resource " + request.getRequestURI()
                    + ": POST /api/v1/volunteers/DEVICE/ban bans a device, POST /api/v1/volunteers/DEVICE/reset lifts a ban");
            return;
        }
        try {
            if (parts[1].equals("ban")) {
                String reason = request.getParameter("reason");
                if (reason != null && reason.length() > 200) {
                    Json.error(response, 400, "reason: at most 200 characters");
                    return;
                }
                reputation.ban(parts[0], reason);
                Json.send(response, 200, new Ban(parts[0], true));
                return;
            }
            boolean had = reputation.reset(parts[0]);
            Json.send(response, 200, new Reset(parts[0], had));
        } catch (SQLException e) {
            Json.error(response, 500, "the coordinator could not reset " + parts[0] + ": " + e.getMessage());
        }
    }

    /** GET /api/v1/volunteers/refusals?provider=&amp;verdict=&amp;limit=: the audit, newest first. */
    private void refusals(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String provider = blankToNull(request.getParameter("provider"));
        String verdict = blankToNull(request.getParameter("verdict"));
        if (provider != null && !provider.matches(DEVICE) || verdict != null && !verdict.matches("[A-Z_]{1,32}")) {
            Json.error(response, 400, "provider: a device id ([A-Za-z0-9._-], up to 64); verdict: a verdict's name such as BAD_DELTA");
            return;
        }
        int limit = 200;
        String l = request.getParameter("limit");
        if (l != null && !l.isBlank()) {
            try {
                limit = Integer.parseInt(l.strip());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) {
                Json.error(response, 400, "limit: a whole number from 1 to 1000, not '" + l + "'");
                return;
            }
        }
        try {
            Json.send(response, 200, reputation.refusals(provider, verdict, limit));
        } catch (SQLException e) {
            Json.error(response, 500, "the coordinator could not read the audit: " + e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** What a ban did. */
    record Ban(String providerId, boolean banned) {
    }

    /** What a reset did: whether the device had invalid results to forgive. */
    record Reset(String providerId, boolean hadInvalidResults) {
    }

    private static boolean admin(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity caller = Auth.identity(request);
        if (caller == null) {
            Auth.unauthorized(response);
            return false;
        }
        if (!Callers.isAdmin(caller)) {
            Json.error(response, 403, request.getServletPath() + " is for the grid's operators: it needs an admin's token");
            return false;
        }
        return true;
    }
}
