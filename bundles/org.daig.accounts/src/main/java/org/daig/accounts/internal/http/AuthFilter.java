package org.daig.accounts.internal.http;

import java.io.IOException;
import java.util.Optional;

import org.daig.accounts.BrowserSessions;
import org.daig.accounts.internal.AccountsConfig;
import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Scope;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The gate in front of the coordinator's HTTP API: every request under {@code /api/v1/}, and
 * {@code /metrics}, {@code /status}, {@code /api/status} unless configured public, needs
 * {@code Authorization: Bearer <token>}; without a valid one it is answered 401 here and nothing
 * behind the gate runs. A valid token leaves the caller's {@link Identity} on the request under
 * {@link Identity#REQUEST_ATTRIBUTE}. A browser may send the token in the console's session cookie
 * instead ({@link BrowserSessions}); then every method but GET, HEAD and OPTIONS also needs the
 * session's CSRF token in a header, else 403. Open: {@code /health}, {@code POST /api/v1/login},
 * {@code POST /api/v1/signup}, and {@code POST /api/v1/devices} without a token (its servlet then
 * demands an enrolment code). The filter does not depend on the accounts service being up: without
 * it every guarded request is refused (503), so a failure never opens the API.
 */
@Component(service = Filter.class, configurationPid = AccountsConfig.PID, property = {
        "osgi.http.whiteboard.filter.pattern=/api/v1/*",
        "osgi.http.whiteboard.filter.pattern=/metrics",
        "osgi.http.whiteboard.filter.pattern=/status",
        "osgi.http.whiteboard.filter.pattern=/api/status",
        "osgi.http.whiteboard.filter.name=daig-authentication" })
public class AuthFilter implements Filter {

    static final String CHALLENGE = "Bearer realm=\"daig\"";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Accounts accounts;

    private volatile boolean publicStatus;
    private volatile boolean publicMetrics;

    @Activate
    @Modified
    void configure(AccountsConfig config) {
        publicStatus = config.publicStatus();
        publicMetrics = config.publicMetrics();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            throw new ServletException("not an HTTP request");
        }
        String token = bearer(request);
        String cookie = token == null ? cookie(request) : null;
        if (open(request.getMethod(), path(request), token != null || cookie != null)) {
            chain.doFilter(request, response);
            return;
        }
        Accounts current = accounts;
        if (current == null) {
            Http.error(response, 503, "accounts are not available, so nothing that needs a token is served: see the coordinator's log");
            return;
        }
        if (token == null && cookie != null) {
            // a browser's session: a state change must prove it comes from a page of ours (docs/security.md, "The web console")
            if (!BrowserSessions.safeMethod(request.getMethod())
                    && !BrowserSessions.csrfMatches(cookie, request.getHeader(BrowserSessions.CSRF_HEADER))) {
                Http.error(response, 403, "a change made with the console's session cookie needs the page's "
                        + BrowserSessions.CSRF_HEADER + " header: reload the console");
                return;
            }
            token = cookie;
        }
        if (token == null) {
            response.setHeader("WWW-Authenticate", CHALLENGE);
            Http.error(response, 401, "this needs a token: send 'Authorization: Bearer <token>' (get one with daig login)");
            return;
        }
        Optional<Identity> identity = current.verify(token);
        if (identity.isEmpty()) {
            response.setHeader("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\"");
            Http.error(response, 401, "the token is not valid (unknown, expired or revoked): log in again");
            return;
        }
        if (identity.get().scope() == Scope.SERVICE) {
            Http.error(response, 403, "the service token is for the coordinator's own MQTT connection, not for HTTP");
            return;
        }
        request.setAttribute(Identity.REQUEST_ATTRIBUTE, identity.get());
        chain.doFilter(request, response);
    }

    /** Whether a request passes without a token (the rest of the guarded paths need one). */
    boolean open(String method, String path, boolean hasToken) {
        return switch (path) {
        case "/api/v1/login", "/api/v1/signup" -> "POST".equals(method);
        case "/api/v1/devices" -> "POST".equals(method) && !hasToken; // enrolment with a code; the servlet checks it
        case "/status", "/api/status" -> publicStatus;
        case "/metrics" -> publicMetrics;
        default -> false;
        };
    }

    /** The path the servlet container resolved (decoded and normalised), not the raw URI. */
    static String path(HttpServletRequest request) {
        String servletPath = request.getServletPath() == null ? "" : request.getServletPath();
        String info = request.getPathInfo();
        return info == null ? servletPath : servletPath + info;
    }

    /** The session token of the console's cookie, or null when there is none. */
    static String cookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (BrowserSessions.COOKIE.equals(c.getName()) && c.getValue() != null && !c.getValue().isBlank()) {
                return c.getValue();
            }
        }
        return null;
    }

    /** The bearer token of the Authorization header, or null when there is none. */
    static String bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? null : token;
    }
}
