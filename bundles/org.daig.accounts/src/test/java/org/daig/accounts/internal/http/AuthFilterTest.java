package org.daig.accounts.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.daig.accounts.BrowserSessions;
import org.daig.accounts.internal.AccountsConfig;
import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.junit.jupiter.api.Test;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The gate's decisions without a servlet container (the OSGi test AccountsTest runs it in Jetty):
 * which requests pass without a token, and that a refused one never reaches the chain.
 */
class AuthFilterTest {

    private static final Identity ALICE = new Identity("alice", Set.of(Role.REQUESTOR), Scope.API, null, "0123456789abcdef", Long.MAX_VALUE);
    private static final Identity SERVICE = new Identity("daig-service", Set.of(), Scope.SERVICE, null, "fedcba9876543210", Long.MAX_VALUE);

    /** What one request through the filter did. */
    private static final class Exchange {
        final Map<String, Object> attributes = new HashMap<>();
        final Map<String, String> headers = new HashMap<>();
        final StringWriter body = new StringWriter();
        int status = 200;
        boolean passed;
    }

    private static AuthFilter filter(boolean publicStatus, boolean publicMetrics, Accounts accounts) throws Exception {
        AuthFilter filter = new AuthFilter();
        filter.configure(config(publicStatus, publicMetrics));
        var field = AuthFilter.class.getDeclaredField("accounts");
        field.setAccessible(true);
        field.set(filter, accounts);
        return filter;
    }

    private static Exchange send(AuthFilter filter, String method, String servletPath, String pathInfo, String authorization) throws Exception {
        return send(filter, method, servletPath, pathInfo, authorization, null, null);
    }

    /** As above, from a browser: {@code cookie} the console's session cookie, {@code csrf} the CSRF header (each null: none). */
    private static Exchange send(AuthFilter filter, String method, String servletPath, String pathInfo, String authorization, String cookie,
            String csrf) throws Exception {
        Exchange x = new Exchange();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass(HttpServletRequest.class),
                new Class<?>[] { HttpServletRequest.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getMethod" -> method;
                case "getServletPath" -> servletPath;
                case "getPathInfo" -> pathInfo;
                case "getHeader" -> "Authorization".equalsIgnoreCase((String) args[0]) ? authorization
                        : BrowserSessions.CSRF_HEADER.equalsIgnoreCase((String) args[0]) ? csrf : null;
                case "getCookies" -> cookie == null ? null : new Cookie[] { new Cookie("other", "x"), new Cookie(BrowserSessions.COOKIE, cookie) };
                case "setAttribute" -> x.attributes.put((String) args[0], args[1]);
                case "getAttribute" -> x.attributes.get(args[0]);
                default -> throw new UnsupportedOperationException(m.getName());
                });
        PrintWriter writer = new PrintWriter(x.body);
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass(HttpServletResponse.class),
                new Class<?>[] { HttpServletResponse.class }, (proxy, m, args) -> switch (m.getName()) {
                case "setStatus" -> {
                    x.status = (Integer) args[0];
                    yield null;
                }
                case "setHeader" -> x.headers.put((String) args[0], (String) args[1]);
                case "setContentType", "setCharacterEncoding" -> null;
                case "getWriter" -> writer;
                default -> throw new UnsupportedOperationException(m.getName());
                });
        FilterChain chain = (req, res) -> x.passed = true;
        filter.doFilter(request, response, chain);
        writer.flush();
        return x;
    }

    private static ClassLoader getClass(Class<?> type) {
        return type.getClassLoader();
    }

    private static Accounts only(String token, Identity identity) {
        return new Accounts() {
            @Override
            public Optional<Identity> verify(String t) {
                return token.equals(t) ? Optional.of(identity) : Optional.empty();
            }

            @Override
            public Optional<Identity> verifyClient(String username, String password) {
                return Optional.empty();
            }
        };
    }

    @Test
    void withoutATokenEveryGuardedPathIs401AndNothingBehindRuns() throws Exception {
        AuthFilter filter = filter(false, false, only("good", ALICE));
        for (String[] r : new String[][] { { "GET", "/api/v1/projects", null }, { "POST", "/api/v1/projects", "/p1/cancel" },
            { "GET", "/api/v1/blobs", "/abc" }, { "GET", "/api/v1/login", null }, { "GET", "/api/v1/whoami", null },
            { "POST", "/api/v1/logout", null }, { "GET", "/api/v1/devices", null }, { "POST", "/api/v1/admin", "/users" },
            { "GET", "/metrics", null }, { "GET", "/status", null }, { "GET", "/api/status", null } }) {
            Exchange x = send(filter, r[0], r[1], r[2], null);
            assertEquals(401, x.status, String.join(" ", r[0], r[1]));
            assertFalse(x.passed, r[1]);
            assertEquals(AuthFilter.CHALLENGE, x.headers.get("WWW-Authenticate"));
            assertTrue(x.body.toString().contains("\"error\""), x.body.toString());
        }
    }

    @Test
    void loginSignupAndEnrolmentWithACodeAreOpenAsArePublicPagesWhenConfigured() throws Exception {
        AuthFilter closed = filter(false, false, only("good", ALICE));
        assertTrue(send(closed, "POST", "/api/v1/login", null, null).passed);
        assertTrue(send(closed, "POST", "/api/v1/signup", null, null).passed);
        assertTrue(send(closed, "POST", "/api/v1/devices", null, null).passed, "the servlet demands the code");
        assertEquals(401, send(closed, "POST", "/api/v1/devices", null, "Bearer bad").status, "a bad token is refused even here");
        AuthFilter open = filter(true, true, only("good", ALICE));
        assertTrue(send(open, "GET", "/status", null, null).passed);
        assertTrue(send(open, "GET", "/api/status", null, null).passed);
        assertTrue(send(open, "GET", "/metrics", null, null).passed);
        assertFalse(send(open, "GET", "/api/v1/projects", null, null).passed);
    }

    @Test
    void aValidTokenPassesWithTheIdentityOnTheRequest() throws Exception {
        AuthFilter filter = filter(false, false, only("good", ALICE));
        Exchange x = send(filter, "GET", "/api/v1/projects", null, "Bearer good");
        assertTrue(x.passed);
        assertEquals(ALICE, x.attributes.get(Identity.REQUEST_ATTRIBUTE));
        assertTrue(send(filter, "GET", "/api/v1/projects", null, "bearer   good  ").passed, "the scheme is case-insensitive");

        Exchange invalid = send(filter, "GET", "/api/v1/projects", null, "Bearer bad");
        assertEquals(401, invalid.status);
        assertTrue(invalid.headers.get("WWW-Authenticate").contains("invalid_token"));
        assertNull(invalid.attributes.get(Identity.REQUEST_ATTRIBUTE));
        assertEquals(401, send(filter, "GET", "/api/v1/projects", null, "Basic Z29vZA==").status);
    }

    @Test
    void theServiceTokenIsNotForHttp() throws Exception {
        Exchange x = send(filter(false, false, only("svc", SERVICE)), "GET", "/api/v1/projects", null, "Bearer svc");
        assertEquals(403, x.status);
        assertFalse(x.passed);
    }

    @Test
    void withoutTheAccountsServiceNothingGuardedIsServed() throws Exception {
        Exchange x = send(filter(false, false, null), "GET", "/api/v1/projects", null, "Bearer good");
        assertEquals(503, x.status);
        assertFalse(x.passed);
        assertTrue(send(filter(false, false, null), "POST", "/api/v1/login", null, null).passed, "login then fails in its servlet");
    }

    @Test
    void theConsolesCookieReadsAloneButChangesOnlyWithTheSessionsCsrfHeader() throws Exception {
        AuthFilter filter = filter(false, false, only("good", ALICE));
        Exchange read = send(filter, "GET", "/api/v1/projects", null, null, "good", null);
        assertTrue(read.passed, "a GET with the cookie");
        assertEquals(ALICE, read.attributes.get(Identity.REQUEST_ATTRIBUTE));
        for (String csrf : new String[] { null, "", "forged", BrowserSessions.csrfToken("other-session") }) {
            Exchange change = send(filter, "POST", "/api/v1/projects", "/p1/cancel", null, "good", csrf);
            assertEquals(403, change.status, "a cross-site POST (CSRF header " + csrf + ") is refused");
            assertFalse(change.passed);
            assertNull(change.attributes.get(Identity.REQUEST_ATTRIBUTE));
        }
        assertEquals(403, send(filter, "DELETE", "/api/v1/projects", "/p1", null, "good", null).status, "any method that is not a read");
        assertEquals(403, send(filter, "POST", "/api/v1/devices", null, null, "good", null).status,
                "with a cookie, enrolment is not the open one with a code");
        assertTrue(send(filter, "POST", "/api/v1/projects", "/p1/cancel", null, "good", BrowserSessions.csrfToken("good")).passed);
        assertEquals(401, send(filter, "GET", "/api/v1/projects", null, null, "bad", null).status, "a cookie with an unknown token");
        assertEquals(401, send(filter, "POST", "/api/v1/projects", null, null, "bad", BrowserSessions.csrfToken("bad")).status);
        assertTrue(send(filter, "POST", "/api/v1/projects", "/p1/cancel", "Bearer good", "bad", null).passed,
                "a bearer token needs no CSRF header (no other site can set it) and wins over the cookie");
    }

    @Test
    void theCsrfTokenIsTheSessionsAndNothingElse() {
        String csrf = BrowserSessions.csrfToken("token-a");
        assertEquals(csrf, BrowserSessions.csrfToken("token-a"), "derived, not stored");
        assertFalse(csrf.equals(BrowserSessions.csrfToken("token-b")));
        assertFalse(csrf.contains("token-a"));
        assertTrue(BrowserSessions.csrfMatches("token-a", csrf));
        assertFalse(BrowserSessions.csrfMatches("token-a", null));
        assertFalse(BrowserSessions.csrfMatches("token-a", csrf + "x"));
    }

    private static AccountsConfig config(boolean publicStatus, boolean publicMetrics) {
        return (AccountsConfig) Proxy.newProxyInstance(AccountsConfig.class.getClassLoader(), new Class<?>[] { AccountsConfig.class },
                (proxy, m, args) -> switch (m.getName()) {
                case "publicStatus" -> publicStatus;
                case "publicMetrics" -> publicMetrics;
                case "annotationType" -> AccountsConfig.class;
                default -> m.getDefaultValue();
                });
    }
}
