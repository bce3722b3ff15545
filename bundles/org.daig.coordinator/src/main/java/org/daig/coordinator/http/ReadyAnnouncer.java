package org.daig.coordinator.http;

import java.util.Map;

import org.daig.api.bus.BusListener;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.MessageHandler;
import org.daig.api.bus.Topics;
import org.daig.api.presence.CoordinatorInfo;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;

import jakarta.servlet.Servlet;

/**
 * Says where the coordinator can be reached: as a retained announcement on the bus each time the
 * bus connects, so providers find the coordinator's HTTP side with no configuration. (The "ready"
 * line in the log is org.daig.runtime's, asked for by the status servlet's daig.ready.name.)
 */
@Component(property = MessageHandler.BUS_ROLE + "=" + Topics.COORDINATOR)
public class ReadyAnnouncer implements BusListener {

    private final long startedAt = System.currentTimeMillis();
    private String statusUrl;
    private String version;

    @Reference(service = HttpServiceRuntime.class)
    void setRuntime(Map<String, Object> runtimeProperties) {
        String base = Endpoints.baseUrl(runtimeProperties);
        statusUrl = base == null ? null : base + "/api/status";
    }

    /** Announced once the status servlet is registered: the whiteboard picks it up as it appears. */
    @Reference(target = "(osgi.http.whiteboard.servlet.name=daig-coordinator-status)")
    private Servlet statusServlet;

    @Activate
    void activate(BundleContext context) {
        version = context.getBundle().getVersion().toString();
    }

    @Override
    public void connected(MessageBus bus) {
        bus.publish(Topics.coordinatorInfo(bus.clientId()),
                new CoordinatorInfo(bus.clientId(), statusUrl, startedAt, version), true);
    }
}
