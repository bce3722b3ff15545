package org.daig.provider;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;

/**
 * Logs the "ready" line with the status URL once the provider's status servlet answers there.
 * Scripts and tests read the URL from that line and use it at once, so the line waits until a
 * GET of the URL succeeds: the servlet's registration alone can come before Jetty serves it.
 */
@Component
public class ProviderReady {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderReady.class);
    private static final long PATIENCE_MS = 60_000;

    private String statusUrl;
    private Thread waiter;

    @Reference(service = HttpServiceRuntime.class)
    void setRuntime(Map<String, Object> runtimeProperties) {
        Object endpoint = runtimeProperties.get("osgi.http.endpoint");
        String first = endpoint instanceof String[] array && array.length > 0 ? array[0]
                : endpoint instanceof String s ? s : null;
        statusUrl = first == null ? null : (first.endsWith("/") ? first : first + "/") + "api/status";
    }

    @Reference(target = "(osgi.http.whiteboard.servlet.name=daig-provider-status)")
    private Servlet statusServlet;

    @Activate
    void activate() {
        String url = statusUrl;
        if (url == null) {
            LOG.info("DAIG provider ready: status at (HTTP endpoint unknown)");
            return;
        }
        waiter = new Thread(() -> announceWhenServing(url), "daig-provider-ready");
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
            while (!answers(url)) {
                if (System.currentTimeMillis() > deadline) {
                    LOG.warn("The provider's status servlet is registered but {} did not answer within {} s", url, PATIENCE_MS / 1000);
                    return;
                }
                Thread.sleep(50);
            }
            LOG.info("DAIG provider ready: status at {}", url);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a GET of the URL answers 200 now. */
    static boolean answers(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }
}
