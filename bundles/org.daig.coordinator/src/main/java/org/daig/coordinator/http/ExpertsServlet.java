package org.daig.coordinator.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

import org.daig.api.account.Identity;
import org.daig.coordinator.experts.ExpertsDesk;
import org.daig.coordinator.experts.ExpertsDesk.ExpertsException;
import org.daig.coordinator.experts.ExpertsDesk.HostingTask;
import org.daig.coordinator.experts.ExpertsSpec;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Experts projects over HTTP (docs/experts.md, "Experts projects on the grid"):
 * <pre>
 * POST   /api/v1/experts                      create (requestor)          GET /api/v1/experts        the caller's
 * GET    /api/v1/experts/{id}                 settings, token, groups     POST …/{id}/cancel         end it
 * POST   /api/v1/experts/{id}/trainer         {"blob"}: the trainer's layers and gate (a whole-model file it uploaded)
 * GET    /api/v1/experts/{id}/model           the whole model, assembled from the trainer's file and the checkpoints
 * POST   /api/v1/experts/hosting              a provider takes a group to host (200), or there is none (204)
 * POST   /api/v1/experts/hosting/{id}/{group} {"checkpoint"?}: it still hosts it (409: stop)
 * DELETE /api/v1/experts/hosting/{id}/{group} it stops hosting it
 * </pre>
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/experts",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/experts/*",
        "osgi.http.whiteboard.servlet.name=daig-experts" })
public class ExpertsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ExpertsServlet.class);
    private static final int MAX_BODY = 16 * 1024;

    @Reference
    private transient ExpertsDesk desk;

    /** For Declarative Services. */
    public ExpertsServlet() {
    }

    /** Outside DS (tests). */
    ExpertsServlet(ExpertsDesk desk) {
        this.desk = desk;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response, (caller, path) -> {
            if (path.length == 0) {
                Json.send(response, 200, desk.list(caller));
            } else if (path.length == 1 && !path[0].equals("hosting")) {
                Json.send(response, 200, desk.get(caller, path[0]));
            } else if (path.length == 2 && path[1].equals("model")) {
                String name = desk.name(caller, path[0]).replaceAll("[^A-Za-z0-9._-]", "_");
                response.setStatus(200);
                response.setContentType("application/zip");
                response.setHeader("Content-Disposition", "attachment; filename=\"" + name + "-experts.zip\"");
                desk.writeModel(caller, path[0], response.getOutputStream());
            } else {
                notFound(request, response);
            }
        });
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response, (caller, path) -> {
            if (path.length == 0) {
                ExpertsSpec spec = Json.GSON.fromJson(body(request), ExpertsSpec.class);
                Json.send(response, 201, desk.create(caller, spec));
            } else if (path.length == 1 && path[0].equals("hosting")) {
                Optional<HostingTask> task = desk.lease(caller);
                if (task.isPresent()) {
                    Json.send(response, 200, task.get());
                } else {
                    response.setStatus(204);
                }
            } else if (path.length == 3 && path[0].equals("hosting")) {
                JsonObject body = body(request);
                JsonElement checkpoint = body == null ? null : body.get("checkpoint");
                desk.renew(caller, path[1], group(path[2]), checkpoint == null || checkpoint.isJsonNull() ? null : checkpoint.getAsString());
                Json.send(response, 200, Map.of("renewed", true));
            } else if (path.length == 2 && path[1].equals("trainer")) {
                JsonObject body = body(request);
                JsonElement blob = body == null ? null : body.get("blob");
                if (blob == null || !blob.isJsonPrimitive()) {
                    throw new ExpertsException(400, "blob: send {\"blob\": \"<sha-256 of the uploaded model file>\"}");
                }
                desk.setTrainer(caller, path[0], blob.getAsString());
                Json.send(response, 200, desk.get(caller, path[0]));
            } else if (path.length == 2 && path[1].equals("cancel")) {
                Json.send(response, 200, desk.cancel(caller, path[0]));
            } else {
                notFound(request, response);
            }
        });
    }

    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handle(request, response, (caller, path) -> {
            if (path.length == 3 && path[0].equals("hosting")) {
                desk.release(caller, path[1], group(path[2]));
                response.setStatus(204);
            } else {
                notFound(request, response);
            }
        });
    }

    private interface Action {
        void run(Identity caller, String[] path) throws Exception;
    }

    private void handle(HttpServletRequest request, HttpServletResponse response, Action action) throws IOException {
        Identity caller = Auth.identity(request);
        if (caller == null) {
            Auth.unauthorized(response);
            return;
        }
        try {
            action.run(caller, path(request));
        } catch (ExpertsException e) {
            Json.error(response, e.status, e.getMessage());
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            Json.error(response, 400, "the body is not the JSON this needs: " + e.getMessage());
        } catch (BodyTooLarge e) {
            Json.error(response, 413, "at most " + MAX_BODY + " bytes of JSON; upload files as blobs");
        } catch (SQLException e) {
            LOG.error("{} {} failed: {}", request.getMethod(), request.getRequestURI(), e.toString());
            Json.error(response, 500, "the coordinator could not do it: " + e.getMessage());
        } catch (Exception e) {
            LOG.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
            if (!response.isCommitted()) {
                Json.error(response, 500, "the coordinator could not do it: " + e.getMessage());
            }
        }
    }

    private static final class BodyTooLarge extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private static JsonObject body(HttpServletRequest request) throws IOException, BodyTooLarge {
        byte[] bytes = request.getInputStream().readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new BodyTooLarge();
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.isBlank() ? null : JsonParser.parseString(text).getAsJsonObject();
    }

    private static int group(String text) throws ExpertsException {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ExpertsException(404, "no group '" + text.replaceAll("[^A-Za-z0-9_-]", "?") + "'");
        }
    }

    private static void notFound(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Json.error(response, 404, "unknown resource " + request.getMethod() + " " + request.getRequestURI() + " (see docs/experts.md)");
    }

    private static String[] path(HttpServletRequest request) {
        String info = request.getPathInfo();
        return info == null || info.equals("/") || info.isEmpty() ? new String[0] : info.substring(1).split("/");
    }
}
