package org.daig.coordinator.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.daig.api.presence.ProviderDirectory;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /api/status}: the coordinator's state as JSON (docs/operations.md shows an example). */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/status",
        "osgi.http.whiteboard.servlet.name=daig-coordinator-status",
        // org.daig.runtime logs "DAIG coordinator ready: status at URL" once it answers, and the planes a requestor uses first too
        "daig.ready.name=coordinator", "daig.ready.also=/api/v1/blobs/", "daig.ready.also=/api/v1/projects" })
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient Gson gson = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();
    private final long startedAt = System.currentTimeMillis();

    @Reference
    private transient ProviderDirectory directory;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + MessageBus.ROLE + "=" + Topics.COORDINATOR + ")")
    private volatile transient MessageBus bus;

    private transient String version;

    @Activate
    void activate(BundleContext context) {
        version = context.getBundle().getVersion().toString();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        MessageBus currentBus = bus;
        Map<String, Object> busState = new LinkedHashMap<>();
        busState.put("connected", currentBus != null && currentBus.isConnected());
        busState.put("broker", currentBus == null ? null : currentBus.brokerUrl());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("service", "daig-coordinator");
        status.put("version", version);
        status.put("coordinatorId", currentBus == null ? null : currentBus.clientId());
        status.put("startedAt", startedAt);
        status.put("bus", busState);
        status.put("providers", directory.providers());
        List<String> others = directory.otherCoordinators();
        status.put("otherCoordinators", others);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(gson.toJson(status));
    }
}
