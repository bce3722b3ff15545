package org.daig.provider.work;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.Gson;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/provider/participate} and {@code POST /api/provider/stop} switch participation
 * (remembered across restarts) and need the local token; {@code GET /api/provider/work} tells what
 * the provider is doing. The provider's HTTP port listens on loopback only, and {@link LoopbackGuard}
 * keeps web pages out of it.
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

    private transient LoopbackGuard guard;

    @Activate
    void activate(BundleContext context) throws IOException {
        Path data = ProviderFolder.of(context);
        guard = new LoopbackGuard(LoopbackGuard.localToken(data.resolve("local-token")));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        LoopbackGuard.Refusal refusal = guard.check(!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod()),
                request.getHeader("Host"), request.getHeader("Origin"), request.getHeader("Authorization"));
        if (refusal != null) {
            response.sendError(refusal.status(), refusal.message());
            return;
        }
        super.service(request, response);
    }

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
