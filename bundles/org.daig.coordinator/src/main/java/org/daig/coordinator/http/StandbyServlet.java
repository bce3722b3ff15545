package org.daig.coordinator.http;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What a standby coordinator answers where the active one serves projects and blobs: 503 with
 * the reason and a Retry-After, instead of a bare 404 that would read as "no such project".
 * Registered only while this process stands by (see {@code LeaderElection}); the identity gate
 * still runs first, so it tells nothing to a caller without a token.
 */
public final class StandbyServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final String message;

    private StandbyServlet(String database) {
        this.message = "this coordinator is standing by: another coordinator of " + database
                + " is active; use its address (this one takes over if it stops)";
    }

    /** Registers the standby's answers on the whiteboard; unregister when this process leads. */
    public static ServiceRegistration<Servlet> register(BundleContext context, String database) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.pattern", new String[] { "/api/v1/projects/*", "/api/v1/blobs/*" });
        props.put("osgi.http.whiteboard.servlet.name", "daig-standby");
        return context.registerService(Servlet.class, new StandbyServlet(database), props);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Retry-After", "5");
        Json.error(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, message);
    }
}
