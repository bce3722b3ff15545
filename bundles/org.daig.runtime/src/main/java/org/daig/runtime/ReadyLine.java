package org.daig.runtime;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;

/**
 * Prints the line that says a product is up: "DAIG coordinator ready: status at URL". Scripts,
 * the demo and the product tests wait for it and use the URL at once, so it is printed only when
 * a GET of that URL answers (200, or 401/403 from an authentication filter in front of it): a
 * servlet's registration can come before Jetty serves it.
 * <p>
 * A whiteboard: any servlet with the property {@value #NAME} (its value names the product) is
 * announced at its first {@code osgi.http.whiteboard.servlet.pattern}. The servlet may name, in
 * {@value #ALSO}, other paths of the same listener that must be served first: the coordinator
 * names its blob and project planes, whose servlets come only once their stores are up (an S3
 * bucket answers a second or more after the status page), so a requestor who uploads at the
 * ready line never meets a 404 from a plane still starting. A servlet of another bundle joins a
 * product's line with {@value #WITH}: the line waits for its first pattern too (the console's pages
 * join the coordinator's, so a browser opened at the ready line finds them), and a product without
 * that bundle does not wait for it.
 * <p>
 * A product whose listener is still being decided names a gate in the framework property
 * {@value #AFTER}: an LDAP filter the line waits for a service to match. If that service has a
 * {@value #SCHEME} property, the line waits for the listener to serve that scheme, so the
 * coordinator, which switches Jetty to HTTPS after it started, never announces a plain URL that is
 * about to go away.
 */
@Component(service = {})
public class ReadyLine {

    /** The servlet property that asks for a ready line, e.g. {@code daig.ready.name=provider}. */
    public static final String NAME = "daig.ready.name";
    /** The servlet property naming other paths that must answer before the line is printed, e.g. {@code /api/v1/blobs/}. */
    public static final String ALSO = "daig.ready.also";
    /** The property of another bundle's servlet whose first pattern a product's line waits for too, e.g. {@code daig.ready.with=coordinator}. */
    public static final String WITH = "daig.ready.with";
    /** The framework property naming the gate: a service filter, e.g. {@code (daig.http.scheme=*)}. */
    public static final String AFTER = "daig.ready.after";
    /** The gate service's property naming the scheme the listener ends up serving ({@code http} or {@code https}). */
    public static final String SCHEME = "daig.http.scheme";

    private static final Logger LOG = LoggerFactory.getLogger(ReadyLine.class);
    private static final long PATIENCE_MS = 60_000;
    private static final long POLL_MS = 50;

    private volatile String baseUrl;
    private final List<Map<String, Object>> waiting = new ArrayList<>();
    /** The servlets that joined a line ({@value #WITH}): service id → product and path. */
    private final Map<Object, Companion> companions = new ConcurrentHashMap<>();
    private volatile boolean active;
    private BundleContext context;
    private String gate;

    /** Dynamic: Jetty restarting with other listeners (HTTPS) changes the endpoint while a line is waiting. */
    @Reference(service = HttpServiceRuntime.class, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            updated = "setRuntime", unbind = "unsetRuntime")
    void setRuntime(Map<String, Object> runtimeProperties) {
        Object endpoint = runtimeProperties.get("osgi.http.endpoint");
        String first = endpoint instanceof String[] array && array.length > 0 ? array[0]
                : endpoint instanceof String s ? s : null;
        baseUrl = first == null ? null : first.endsWith("/") ? first.substring(0, first.length() - 1) : first;
    }

    void unsetRuntime(Map<String, Object> runtimeProperties) {
        // the endpoint stays as it was until a runtime replaces it: a waiting line keeps probing
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, target = "(" + NAME + "=*)")
    void addServlet(Servlet servlet, Map<String, Object> properties) {
        synchronized (this) {
            if (!active) { // bound before activation: announced by activate, when the endpoint is known
                waiting.add(properties);
                return;
            }
        }
        announce(properties);
    }

    void removeServlet(Servlet servlet) {
        // nothing to undo: a line once printed stays true for this start
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, target = "(" + WITH + "=*)")
    void addCompanion(Servlet servlet, Map<String, Object> properties) {
        String path = probePath(firstPattern(properties.get("osgi.http.whiteboard.servlet.pattern")));
        if (path != null) {
            companions.put(properties.get("service.id"), new Companion(String.valueOf(properties.get(WITH)), path));
        }
    }

    void removeCompanion(Servlet servlet, Map<String, Object> properties) {
        companions.remove(properties.get("service.id"));
    }

    /** The paths of the servlets that joined {@code product}'s line, sorted. */
    List<String> companionPaths(String product) {
        return companions.values().stream().filter(c -> c.product.equals(product)).map(c -> c.path).sorted().toList();
    }

    /**
     * The path that asks a servlet of {@code pattern} for an answer: the pattern itself, its folder
     * for a {@code /x/*} pattern, the root for the empty one; null for an extension pattern.
     */
    static String probePath(String pattern) {
        if (pattern == null || pattern.startsWith("*.")) {
            return null;
        }
        if (pattern.isEmpty() || pattern.equals("/*")) {
            return "/";
        }
        return pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 1) : pattern;
    }

    private record Companion(String product, String path) {
    }

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        String after = context.getProperty(AFTER);
        gate = after == null || after.isBlank() ? null : after.trim();
        if (gate != null) {
            try {
                context.createFilter(gate);
            } catch (InvalidSyntaxException e) {
                LOG.warn("{}={} is not a service filter ({}); the ready line does not wait for it", AFTER, gate, e.getMessage());
                gate = null;
            }
        }
        List<Map<String, Object>> bound;
        synchronized (this) {
            active = true;
            bound = List.copyOf(waiting);
            waiting.clear();
        }
        bound.forEach(this::announce);
    }

    private void announce(Map<String, Object> properties) {
        String product = String.valueOf(properties.get(NAME));
        String path = firstPattern(properties.get("osgi.http.whiteboard.servlet.pattern"));
        if (baseUrl == null || path == null) {
            LOG.info("DAIG {} ready: status at (HTTP endpoint unknown)", product);
            return;
        }
        List<String> also = strings(properties.get(ALSO));
        Thread waiter = new Thread(() -> announceWhenServing(product, path, also), "daig-ready-" + product);
        waiter.setDaemon(true);
        waiter.start();
    }

    @Deactivate
    void deactivate() {
        active = false;
    }

    private void announceWhenServing(String product, String path, List<String> also) {
        long deadline = System.currentTimeMillis() + PATIENCE_MS;
        try {
            String url = baseUrl + path;
            List<String> silent = List.of();
            while (!gateOpen(url) || !answers(url) || !(silent = notServing(baseUrl, withCompanions(also, product))).isEmpty()) {
                if (System.currentTimeMillis() > deadline || !active) {
                    LOG.warn("The {} status servlet is registered but {} did not answer{}{} within {} s", product, url,
                            gate == null ? "" : " (or nothing matched " + AFTER + "=" + gate + ")",
                            silent.isEmpty() ? "" : ", or these paths still answer 404 or not at all: " + String.join(", ", silent),
                            PATIENCE_MS / 1000);
                    return;
                }
                Thread.sleep(POLL_MS);
                url = baseUrl + path;
            }
            LOG.info("DAIG {} ready: status at {}", product, url);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> withCompanions(List<String> also, String product) {
        List<String> all = new ArrayList<>(also);
        all.addAll(companionPaths(product));
        return all;
    }

    /** No gate, or a service matches it and the URL has the scheme it names (if it names one). */
    private boolean gateOpen(String url) {
        if (gate == null) {
            return true;
        }
        try {
            ServiceReference<?>[] matching = context.getServiceReferences((String) null, gate);
            if (matching == null) {
                return false;
            }
            Object scheme = matching[0].getProperty(SCHEME);
            return scheme == null || url.startsWith(scheme + "://");
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return false;
        }
    }

    /** The paths of {@code also} that the listener at {@code base} does not serve yet (see {@link #answers}). */
    static List<String> notServing(String base, List<String> also) {
        return also.stream().filter(path -> !answers(base + path)).toList();
    }

    private static List<String> strings(Object value) {
        if (value instanceof String[] array) {
            return List.of(array);
        }
        return value instanceof String s ? List.of(s) : List.of();
    }

    private static String firstPattern(Object patterns) {
        if (patterns instanceof String[] array && array.length > 0) {
            return array[0];
        }
        return patterns instanceof String s ? s : null;
    }

    /**
     * Whether the servlet at the URL is served now: a GET answers 200, or 401/403 (the
     * coordinator's authentication filter guards its status page unless it is configured public,
     * and a guard answering means the servlet behind it is registered). 404 means "not yet in Jetty".
     */
    static boolean answers(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            if (c instanceof javax.net.ssl.HttpsURLConnection https) {
                // a probe of this process's own listener that sends nothing: whether it answers is all it asks
                https.setSSLSocketFactory(OwnListener.CONTEXT.getSocketFactory());
                https.setHostnameVerifier((host, session) -> true);
            }
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            try {
                int code = c.getResponseCode();
                return code == 200 || code == 401 || code == 403;
            } finally {
                c.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    /** TLS for the probe of the product's own HTTPS listener, whose certificate may be self-made. */
    private static final class OwnListener extends javax.net.ssl.X509ExtendedTrustManager {

        static final javax.net.ssl.SSLContext CONTEXT = context();

        private static javax.net.ssl.SSLContext context() {
            try {
                javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
                context.init(null, new javax.net.ssl.TrustManager[] {new OwnListener()}, null);
                return context;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            // the probe sends no secret and reads nothing but the status code
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket socket) {
            // as above
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
            // as above
        }

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket socket)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("not a server");
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }
}
