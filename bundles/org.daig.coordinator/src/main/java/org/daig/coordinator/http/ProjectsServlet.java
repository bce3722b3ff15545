package org.daig.coordinator.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectView;
import org.daig.coordinator.access.Callers;
import org.daig.coordinator.service.ModelExports;
import org.daig.coordinator.service.ProjectCatalog;
import org.daig.coordinator.service.ProjectControl;
import org.daig.coordinator.service.ProjectSubmissions;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.JsonParseException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The requestor API (docs/protocol.md, "Requestor API"):
 * <pre>
 * GET  /api/v1/projects                       list
 * POST /api/v1/projects                       submit a ProjectSpec → 201 ProjectView | 422 {problems}
 * GET  /api/v1/projects/{id}                  one project
 * GET  /api/v1/projects/{id}/versions         every version with its figures (progress events)
 * GET  /api/v1/projects/{id}/results          every accepted result (round, shard, provider, delta blob)
 * POST /api/v1/projects/{id}/pause|resume|cancel
 * GET  /api/v1/projects/{id}/model?version=N&amp;format=zip|h5|npy   download a version (newest by default)
 * </pre>
 * Every request needs an identity (401 without). A requestor lists and reaches only the projects
 * it submitted; another's answers 404 exactly like a missing one, so ids cannot be probed. An
 * admin reaches every project. Other callers (providers' device tokens, accounts without the
 * requestor role) may not submit (403) and see no project.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/projects/*",
        "osgi.http.whiteboard.servlet.name=daig-projects" })
public class ProjectsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProjectsServlet.class);
    private static final int MAX_BODY = 64 * 1024;

    @Reference
    private transient ProjectCatalog projects;

    @Reference
    private transient ProjectControl control;

    @Reference
    private transient ProjectSubmissions submissions;

    @Reference
    private transient ModelExports exports;

    /** For Declarative Services. */
    public ProjectsServlet() {
    }

    /** Outside DS (tests). */
    public ProjectsServlet(ProjectCatalog projects, ProjectControl control, ProjectSubmissions submissions, ModelExports exports) {
        this.projects = projects;
        this.control = control;
        this.submissions = submissions;
        this.exports = exports;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity caller = Auth.identity(request);
        if (caller == null) {
            Auth.unauthorized(response);
            return;
        }
        String[] path = path(request);
        try {
            if (path.length == 0) {
                Json.send(response, 200, visible(caller));
                return;
            }
            Optional<ProjectView> project = mayUse(caller, path[0]) ? projects.project(path[0]) : Optional.empty();
            if (project.isEmpty()) {
                Json.error(response, 404, "no project " + path[0]);
                return;
            }
            if (path.length == 1) {
                Json.send(response, 200, project.get());
            } else if (path.length == 2 && path[1].equals("versions")) {
                Json.send(response, 200, projects.versions(path[0]));
            } else if (path.length == 2 && path[1].equals("results")) {
                Json.send(response, 200, projects.results(path[0]));
            } else if (path.length == 2 && path[1].equals("model")) {
                download(request, response, project.get());
            } else {
                Json.error(response, 404, "unknown resource " + request.getRequestURI());
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            Json.error(response, 409, e.getMessage());
        } catch (Exception e) {
            LOG.error("GET {} failed: {}", request.getRequestURI(), e.toString());
            Json.error(response, 500, "the coordinator could not answer: " + e.getMessage());
        }
    }

    private void download(HttpServletRequest request, HttpServletResponse response, ProjectView project) throws Exception {
        String format = Optional.ofNullable(request.getParameter("format")).orElse("zip");
        int version = -1;
        String v = request.getParameter("version");
        if (v != null && !v.isBlank()) {
            try {
                version = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                Json.error(response, 400, "version '" + v + "' is not a number");
                return;
            }
        }
        Path file = exports.export(project.id(), version, format);
        String name = file.getFileName().toString().endsWith(".npy") ? project.id() + "-params.npy" : file.getFileName().toString();
        response.setStatus(200);
        response.setContentType("application/octet-stream");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
        response.setContentLengthLong(Files.size(file));
        try (InputStream in = Files.newInputStream(file); OutputStream out = response.getOutputStream()) {
            in.transferTo(out);
        }
    }

    /** The projects the caller may see: all for an admin, its own for a requestor, none for anyone else. */
    private List<ProjectView> visible(Identity caller) throws SQLException {
        if (Callers.isAdmin(caller)) {
            return projects.projects();
        }
        return Callers.isRequestor(caller) ? projects.projectsOf(caller.user()) : List.of();
    }

    /** Whether the caller may see and control the project; false for one that does not exist. */
    private boolean mayUse(Identity caller, String id) throws SQLException {
        if (Callers.isAdmin(caller)) {
            return true; // a missing one is reported as missing further on
        }
        return Callers.isRequestor(caller) && projects.owner(id).map(owner -> Callers.mayUseProjectOf(caller, owner)).orElse(false);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity caller = Auth.identity(request);
        if (caller == null) {
            Auth.unauthorized(response);
            return;
        }
        String[] path = path(request);
        try {
            if (path.length == 0) {
                submit(request, response, caller);
            } else if (path.length == 2 && !mayUse(caller, path[0])) {
                Json.error(response, 404, "no project " + path[0]); // another's project looks exactly like a missing one
            } else if (path.length == 2) {
                switch (path[1]) {
                case "pause" -> control.pause(path[0]);
                case "resume" -> control.resume(path[0]);
                case "cancel" -> control.cancel(path[0]);
                default -> {
                    Json.error(response, 404, "unknown action '" + path[1] + "': use pause, resume or cancel");
                    return;
                }
                }
                Json.send(response, 200, projects.project(path[0]).orElseThrow());
            } else {
                Json.error(response, 404, "unknown resource " + request.getRequestURI());
            }
        } catch (IllegalStateException e) {
            Json.error(response, e.getMessage().startsWith("no project") ? 404 : 409, e.getMessage());
        } catch (Exception e) {
            LOG.error("POST {} failed: {}", request.getRequestURI(), e.toString());
            Json.error(response, 500, "the coordinator could not do it: " + e.getMessage());
        }
    }

    private void submit(HttpServletRequest request, HttpServletResponse response, Identity caller) throws Exception {
        if (!Callers.maySubmit(caller)) {
            Json.error(response, 403, "only requestors submit projects: account " + caller.user() + " with a " + caller.scope().id()
                    + " token has roles " + caller.roles().stream().map(Role::id).sorted().toList());
            return;
        }
        byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            Json.error(response, 413, "a project description is at most " + MAX_BODY + " bytes of JSON; upload files as blobs");
            return;
        }
        ProjectSpec spec;
        try {
            spec = Json.GSON.fromJson(new String(body, StandardCharsets.UTF_8), ProjectSpec.class);
        } catch (JsonParseException e) {
            Json.error(response, 400, "the body is not a project description in JSON: " + e.getMessage());
            return;
        }
        if (spec == null) {
            Json.error(response, 400, "send the project description as a JSON object");
            return;
        }
        ProjectSubmissions.Submission submission = submissions.submit(spec, caller);
        if (!submission.problems().isEmpty()) {
            Json.send(response, 422, Map.of("problems", submission.problems()));
            return;
        }
        response.setHeader("Location", request.getRequestURI().replaceAll("/$", "") + "/" + submission.project().id());
        Json.send(response, 201, submission.project());
    }

    /** The path below /api/v1/projects, split; empty for the collection. */
    private static String[] path(HttpServletRequest request) {
        String info = request.getPathInfo();
        if (info == null || info.equals("/") || info.isEmpty()) {
            return new String[0];
        }
        return info.substring(1).split("/");
    }
}
