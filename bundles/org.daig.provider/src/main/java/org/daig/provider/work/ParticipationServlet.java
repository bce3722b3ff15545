package org.daig.provider.work;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.Gson;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/provider/participate} and {@code POST /api/provider/stop} switch participation
 * (remembered across restarts); {@code GET /api/provider/work} tells what the provider is doing.
 * The provider's HTTP port listens on loopback only, so only the volunteer's own machine can ask.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/provider/participate",
        "osgi.http.whiteboard.servlet.pattern=/api/provider/stop",
        "osgi.http.whiteboard.servlet.pattern=/api/provider/work",
        "osgi.http.whiteboard.servlet.name=daig-provider-participation" })
public class ParticipationServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient Gson gson = new Gson();

    @Reference
    private transient Participation participation;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (request.getServletPath()) {
        case "/api/provider/participate" -> participation.participate(true);
        case "/api/provider/stop" -> participation.participate(false);
        default -> {
            response.sendError(405);
            return;
        }
        }
        doGet(request, response);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(gson.toJson(participation.workStatus()));
    }
}
