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
 * invalid results since the last reset, banned, the newest refusal and its reason) and
 * {@code POST /api/v1/volunteers/{device}/reset}, which lifts a ban. Anyone else: 401 or 403.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/volunteers",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/volunteers/*",
        "osgi.http.whiteboard.servlet.name=daig-volunteers" })
public class VolunteerServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

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
        if (request.getPathInfo() != null && !request.getPathInfo().equals("/")) {
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
        if (parts.length != 2 || !parts[1].equals("reset") || !parts[0].matches("[A-Za-z0-9._-]{1,64}")) {
            Json.error(response, 404, "unknown resource " + request.getRequestURI() + ": POST /api/v1/volunteers/DEVICE/reset lifts a ban");
            return;
        }
        try {
            boolean had = reputation.reset(parts[0]);
            Json.send(response, 200, new Reset(parts[0], had));
        } catch (SQLException e) {
            Json.error(response, 500, "the coordinator could not reset " + parts[0] + ": " + e.getMessage());
        }
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
