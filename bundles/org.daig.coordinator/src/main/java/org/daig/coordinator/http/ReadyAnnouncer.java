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
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;

/**
 * Says where the coordinator can be reached: once in the log when it is ready ("status at URL",
 * which scripts and operators wait for), and as a retained announcement on the bus each time the
 * bus connects, so providers find the coordinator's HTTP side with no configuration.
 */
@Component(property = MessageHandler.BUS_ROLE + "=" + Topics.COORDINATOR)
public class ReadyAnnouncer implements BusListener {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyAnnouncer.class);
    private static final long PATIENCE_MS = 60_000;

    private final long startedAt = System.currentTimeMillis();
    private String statusUrl;
    private String version;
    private Thread waiter;

    @Reference(service = HttpServiceRuntime.class)
    void setRuntime(Map<String, Object> runtimeProperties) {
        String base = Endpoints.baseUrl(runtimeProperties);
        statusUrl = base == null ? null : base + "/api/status";
    }

    /** Ready means the status servlet is registered: the whiteboard picks it up as it appears. */
    @Reference(target = "(osgi.http.whiteboard.servlet.name=daig-coordinator-status)")
    private Servlet statusServlet;

    @Activate
    void activate(BundleContext context) {
        version = context.getBundle().getVersion().toString();
        String url = statusUrl;
        if (url == null) {
            LOG.info("DAIG coordinator ready: status at (HTTP endpoint unknown)");
            return;
        }
        // The line promises that the URL answers; the servlet's registration can come before Jetty serves it.
        waiter = new Thread(() -> announceWhenServing(url), "daig-coordinator-ready");
        waiter.setDaemon(true);
        waiter.start();
    }

    @Deactivate
    void deactivate() {
        if (waiter != null) {
            waiter.interrupt();
        }
    }

    private static void announceWhenServing(String url) {
        long deadline = System.currentTimeMillis() + PATIENCE_MS;
        try {
            while (!Endpoints.answers(url)) {
                if (System.currentTimeMillis() > deadline) {
                    LOG.warn("The coordinator's status servlet is registered but {} did not answer within {} s", url, PATIENCE_MS / 1000);
                    return;
                }
                Thread.sleep(50);
            }
            LOG.info("DAIG coordinator ready: status at {}", url);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void connected(MessageBus bus) {
        bus.publish(Topics.coordinatorInfo(bus.clientId()),
                new CoordinatorInfo(bus.clientId(), statusUrl, startedAt, version), true);
    }
}
