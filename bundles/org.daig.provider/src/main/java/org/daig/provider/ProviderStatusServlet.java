package org.daig.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.daig.provider.enrol.Enrolment;
import org.daig.provider.enrol.EnrolmentState;
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

/**
 * {@code GET /api/status} of the provider: its id, connection, coordinator, enrolment (the account
 * this machine belongs to, or what to do to enrol it) and machine. Also at
 * {@code /api/provider/status}, and ranked below the coordinator's, for a process running both.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/status",
        "osgi.http.whiteboard.servlet.pattern=/api/provider/status",
        "service.ranking:Integer=-1",
        "osgi.http.whiteboard.servlet.name=daig-provider-status",
        "daig.ready.name=provider" }) // org.daig.runtime logs "DAIG provider ready: status at URL" once it answers
public class ProviderStatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient Gson gson = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();

    @Reference
    private transient ProviderAgent agent;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile transient Enrolment enrolment;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + MessageBus.ROLE + "=" + Topics.PROVIDER + ")")
    private volatile transient MessageBus bus;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        MessageBus currentBus = bus;
        Map<String, Object> busState = new LinkedHashMap<>();
        busState.put("connected", currentBus != null && currentBus.isConnected());
        busState.put("broker", currentBus == null ? null : currentBus.brokerUrl());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("service", "daig-provider");
        status.put("providerId", currentBus == null ? null : currentBus.clientId());
        status.put("name", agent.displayName());
        status.put("bus", busState);
        status.put("coordinator", agent.coordinator().orElse(null));
        status.put("enrolment", enrolment(enrolment));
        status.put("machine", agent.machineInfo().summary());
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(gson.toJson(status));
    }

    /** Whether this machine is enrolled and for which account; never the token. */
    private static Map<String, Object> enrolment(Enrolment enrolment) {
        EnrolmentState s = enrolment == null ? EnrolmentState.notEnrolled(null, EnrolmentState.HOW_TO_ENROL) : enrolment.state();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enrolled", s.enrolled());
        out.put("account", s.account());
        out.put("device", s.device());
        out.put("coordinatorUrl", s.coordinator());
        out.put("message", s.message());
        return out;
    }
}
