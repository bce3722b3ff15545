package org.daig.provider;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;

/** Logs the "ready" line with the status URL once the provider's status servlet is up. */
@Component
public class ProviderReady {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderReady.class);

    private String statusUrl;

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
        LOG.info("DAIG provider ready: status at {}", statusUrl == null ? "(HTTP endpoint unknown)" : statusUrl);
    }
}
