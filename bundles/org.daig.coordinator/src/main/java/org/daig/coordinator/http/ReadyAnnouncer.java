package org.daig.coordinator.http;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.daig.api.bus.BusListener;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.MessageHandler;
import org.daig.api.bus.Topics;
import org.daig.api.presence.CoordinatorInfo;
import org.daig.coordinator.service.ProjectServiceConfig;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;

import jakarta.servlet.Servlet;

/**
 * Says where the coordinator can be reached: as a retained announcement on the bus each time the
 * bus connects, so providers find the coordinator's HTTP side with no configuration. (The "ready"
 * line in the log is org.daig.runtime's, asked for by the status servlet's daig.ready.name.)
 *
 * <p>The announced status URL is on the same base as the tasks' blob URL (the configured public
 * URL, else the HTTP service's endpoint): a provider refuses a task whose blobs are anywhere else.
 */
@Component(configurationPid = ProjectServiceConfig.PID, property = MessageHandler.BUS_ROLE + "=" + Topics.COORDINATOR)
public class ReadyAnnouncer implements BusListener {

    private final long startedAt = System.currentTimeMillis();
    private final Set<MessageBus> announcedOn = ConcurrentHashMap.newKeySet();
    private volatile String httpBase;
    private volatile String publicUrl;
    private String version;

    @Reference(service = HttpServiceRuntime.class)
    void setRuntime(Map<String, Object> runtimeProperties) {
        httpBase = Endpoints.baseUrl(runtimeProperties);
    }

    /** Announced once the status servlet is registered: the whiteboard picks it up as it appears. */
    @Reference(target = "(osgi.http.whiteboard.servlet.name=daig-coordinator-status)")
    private Servlet statusServlet;

    @Activate
    void activate(BundleContext context, ProjectServiceConfig config) {
        version = context.getBundle().getVersion().toString();
        publicUrl = config.publicUrl();
    }

    @Modified
    void modified(ProjectServiceConfig config) {
        publicUrl = config.publicUrl();
        announcedOn.removeIf(bus -> !bus.isConnected());
        announcedOn.forEach(this::connected);
    }

    @Override
    public void connected(MessageBus bus) {
        bus.publish(Topics.coordinatorInfo(bus.clientId()), new CoordinatorInfo(bus.clientId(), statusUrl(publicUrl, httpBase), startedAt,
                version), true);
        announcedOn.add(bus);
    }

    /** {@code <base>/api/status}, on the public URL if one is configured; null without any base. */
    static String statusUrl(String publicUrl, String httpBase) {
        String base = publicUrl != null && !publicUrl.isBlank() ? publicUrl.trim() : httpBase;
        if (base == null) {
            return null;
        }
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/status";
    }
}
