package org.daig.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.daig.accounts.AccountAdmin;
import org.daig.accounts.AccountException;
import org.daig.accounts.BrowserSessions;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.junit.jupiter.api.Test;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The console's login, session and safety rules, without a servlet container (the browser test runs them in the product). */
class ConsoleServletTest {

    private static final String XSS = "<img src=x onerror=alert(1)>";
    private static final Identity ADMIN = new Identity("admin", Set.of(Role.ADMIN), Scope.API, null, "t1", Long.MAX_VALUE);
    private static final Identity DEVICE = new Identity("vol", Set.of(Role.VOLUNTEER), Scope.DEVICE, "d1", "t2", Long.MAX_VALUE);

    /** What one request did. */
    private static final class Exchange {
        final Map<String, List<String>> headers = new HashMap<>();
        final StringWriter body = new StringWriter();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = 200;

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }

        List<String> cookies() {
            return headers.getOrDefault("Set-Cookie", List.of());
        }
    }

    /** A request: {@code cookies} name → value, {@code params} the form, {@code headers} extra headers. */
    private static Exchange send(ConsoleServlet servlet, String method, String info, Map<String, String> cookies, Map<String, String> params,
            Map<String, String> headers, boolean secure) throws Exception {
        Exchange x = new Exchange();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(ConsoleServletTest.class.getClassLoader(),
                new Class<?>[] { HttpServletRequest.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getMethod" -> method;
                case "getPathInfo" -> info;
                case "getServletPath" -> "/console";
                case "getCookies" -> cookies.entrySet().stream().map(e -> new Cookie(e.getKey(), e.getValue())).toArray(Cookie[]::new);
                case "getParameter" -> params.get((String) args[0]);
                case "getHeader" -> headers.get((String) args[0]);
                case "getScheme" -> secure ? "https" : "http";
                case "isSecure" -> secure;
                case "getRemoteAddr" -> "192.0.2.7";
                case "getContentLength" -> 100;
                case "getProtocol" -> "HTTP/1.1";
                default -> throw new UnsupportedOperationException(m.getName());
                });
        PrintWriter writer = new PrintWriter(x.body);
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public void write(int b) {
                x.bytes.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }
        };
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(ConsoleServletTest.class.getClassLoader(),
                new Class<?>[] { HttpServletResponse.class }, (proxy, m, args) -> switch (m.getName()) {
                case "setStatus" -> {
                    x.status = (Integer) args[0];
                    yield null;
                }
                case "setHeader" -> x.headers.put((String) args[0], new ArrayList<>(List.of((String) args[1])));
                case "addHeader" -> x.headers.computeIfAbsent((String) args[0], k -> new ArrayList<>()).add((String) args[1]);
                case "setContentType", "setCharacterEncoding", "setContentLength" -> null;
                case "getWriter" -> writer;
                case "getOutputStream" -> out;
                default -> throw new UnsupportedOperationException(m.getName());
                });
        if (method.equals("GET")) {
            servlet.doGet(request, response);
        } else {
            servlet.doPost(request, response);
        }
        writer.flush();
        return x;
    }

    private static Exchange get(ConsoleServlet servlet, String info, Map<String, String> cookies) throws Exception {
        return send(servlet, "GET", info, cookies, Map.of(), Map.of("Host", "grid.example:7700"), false);
    }

    /** An account book with one password per user; every other login fails, the 4th failure and later are rate-limited. */
    private static final class Book {
        final Map<String, Identity> tokens = new HashMap<>();
        final List<String> loggedOut = new ArrayList<>();
        int failures;

        AccountAdmin admin() {
            return (AccountAdmin) Proxy.newProxyInstance(ConsoleServletTest.class.getClassLoader(), new Class<?>[] { AccountAdmin.class },
                    (proxy, m, args) -> switch (m.getName()) {
                    case "login" -> {
                        if (failures >= 3) {
                            throw new AccountException(AccountException.Reason.RATE_LIMITED, "too many failed logins: try again later", 60);
                        }
                        if (!"right-password".equals(args[1])) {
                            failures++;
                            throw new AccountException(AccountException.Reason.UNAUTHORIZED, "wrong user or password");
                        }
                        String token = "token-of-" + args[0];
                        tokens.put(token, new Identity((String) args[0], Set.of(Role.ADMIN, Role.REQUESTOR), Scope.API, null, "t", 1L));
                        yield new AccountAdmin.Session(token, "t", (String) args[0], Set.of(Role.ADMIN), 1L);
                    }
                    case "verify" -> Optional.ofNullable(tokens.get((String) args[0]));
                    case "logout" -> {
                        loggedOut.add(((Identity) args[0]).user());
                        yield true;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    @Test
    void anAnonymousVisitorGetsOnlyTheLoginPageWithTheSafetyHeaders() throws Exception {
        ConsoleServlet servlet = new ConsoleServlet(new Book().admin());
        for (String path : new String[] { null, "/" }) {
            Exchange x = get(servlet, path, Map.of());
            assertEquals(303, x.status);
            assertEquals("/console/login", x.header("Location"));
        }
        Exchange forged = get(servlet, "/", Map.of(BrowserSessions.COOKIE, "made-up"));
        assertEquals(303, forged.status, "an unknown token opens nothing");
        Exchange login = get(servlet, "/login", Map.of());
        assertEquals(200, login.status);
        assertTrue(login.body.toString().contains("<form method=\"post\" action=\"/console/login\""));
        assertEquals(Headers.CSP, login.header("Content-Security-Policy"));
        assertTrue(login.header("Content-Security-Policy").contains("script-src 'self';"), "no inline script");
        assertFalse(login.header("Content-Security-Policy").contains("unsafe"));
        assertEquals("DENY", login.header("X-Frame-Options"));
        assertEquals("nosniff", login.header("X-Content-Type-Options"));
        assertFalse(login.body.toString().contains("<script"), "the login page runs no script at all");
        assertTrue(login.cookies().get(0).startsWith(ConsoleServlet.FORM_COOKIE + "="));
        assertTrue(login.cookies().get(0).contains("HttpOnly; SameSite=Strict"));
        assertEquals(404, get(servlet, "/../../etc/passwd", Map.of()).status);
        assertEquals(404, get(servlet, "/static/../ConsoleServlet.class", Map.of()).status);
    }

    private static Map<String, String> form(String user, String password, String form) {
        Map<String, String> p = new HashMap<>();
        p.put("user", user);
        p.put("password", password);
        p.put("form", form);
        return p;
    }

    @Test
    void aLoginSetsAnHttpOnlyStrictCookieSecureUnderTls() throws Exception {
        Book book = new Book();
        ConsoleServlet servlet = new ConsoleServlet(book.admin());
        Map<String, String> sameSite = Map.of("Host", "grid.example:7700", "Origin", "https://grid.example:7700");
        Exchange ok = send(servlet, "POST", "/login", Map.of(ConsoleServlet.FORM_COOKIE, "f1"), form("alice", "right-password", "f1"),
                sameSite, true);
        assertEquals(303, ok.status, ok.body.toString());
        assertEquals("/console/", ok.header("Location"));
        assertEquals(BrowserSessions.COOKIE + "=token-of-alice; Path=/; HttpOnly; SameSite=Strict; Secure", ok.cookies().get(0));

        Exchange page = get(servlet, "/", Map.of(BrowserSessions.COOKIE, "token-of-alice"));
        assertEquals(200, page.status);
        String html = page.body.toString();
        assertTrue(html.contains("<meta name=\"daig-csrf\" content=\"" + BrowserSessions.csrfToken("token-of-alice") + "\">"));
        assertFalse(html.contains("token-of-alice"), "the session token itself is never in the page");
        assertTrue(html.contains("<script src=\"/console/static/console.js\" defer></script>"));
        assertEquals(1, html.split("<script").length - 1, "one script, from a file");
        assertTrue(html.contains("href=\"#providers\"") && html.contains("href=\"#users\""), "an admin's sections");
        assertFalse(html.contains("href=\"#my-projects\""), "an admin's Projects stand for My projects");

        Exchange plain = send(servlet, "POST", "/login", Map.of(ConsoleServlet.FORM_COOKIE, "f2"), form("alice", "right-password", "f2"),
                Map.of("Host", "grid.example:7700"), false);
        assertFalse(plain.cookies().get(0).contains("Secure"), "over plain HTTP a Secure cookie would never come back");
    }

    @Test
    void aCrossSiteOrForgedLoginFormIsRefused() throws Exception {
        Book book = new Book();
        ConsoleServlet servlet = new ConsoleServlet(book.admin());
        Exchange otherSite = send(servlet, "POST", "/login", Map.of(ConsoleServlet.FORM_COOKIE, "f1"), form("alice", "right-password", "f1"),
                Map.of("Host", "grid.example:7700", "Origin", "https://evil.example"), false);
        assertEquals(403, otherSite.status);
        Exchange noFormCookie = send(servlet, "POST", "/login", Map.of(), form("alice", "right-password", "f1"),
                Map.of("Host", "grid.example:7700"), false);
        assertEquals(403, noFormCookie.status);
        Exchange wrongForm = send(servlet, "POST", "/login", Map.of(ConsoleServlet.FORM_COOKIE, "f1"), form("alice", "right-password", "f2"),
                Map.of("Host", "grid.example:7700"), false);
        assertEquals(403, wrongForm.status);
        assertTrue(book.tokens.isEmpty(), "nobody was logged in");
    }

    @Test
    void failedLoginsAreRateLimitedAndTheNameComesBackEscaped() throws Exception {
        Book book = new Book();
        ConsoleServlet servlet = new ConsoleServlet(book.admin());
        for (int i = 0; i < 3; i++) {
            Exchange wrong = send(servlet, "POST", "/login", Map.of(ConsoleServlet.FORM_COOKIE, "f"), form(XSS, "wrong", "f"),
                    Map.of("Host", "h"), false);
            assertEquals(401, wrong.status);
            assertTrue(wrong.body.toString().contains("value=\"&lt;img src=x onerror=alert(1)&gt;\""), wrong.body.toString());
            assertFalse(wrong.body.toString().contains(XSS));
        }
        Exchange limited = send(servlet, "POST", "/login", Map.of(ConsoleServlet.FORM_COOKIE, "f"), form("alice", "right-password", "f"),
                Map.of("Host", "h"), false);
        assertEquals(429, limited.status);
        assertEquals("60", limited.header("Retry-After"));
        assertTrue(limited.body.toString().contains("too many failed logins"));
        assertTrue(book.tokens.isEmpty());
    }

    @Test
    void logoutNeedsThePagesCsrfTokenAndDeviceTokensOpenNoConsole() throws Exception {
        Book book = new Book();
        book.tokens.put("s1", ADMIN);
        book.tokens.put("dev", DEVICE);
        ConsoleServlet servlet = new ConsoleServlet(book.admin());
        Exchange forged = send(servlet, "POST", "/logout", Map.of(BrowserSessions.COOKIE, "s1"), Map.of("csrf", "guess"), Map.of("Host", "h"),
                false);
        assertEquals(403, forged.status);
        assertTrue(book.loggedOut.isEmpty());
        Exchange out = send(servlet, "POST", "/logout", Map.of(BrowserSessions.COOKIE, "s1"),
                Map.of("csrf", BrowserSessions.csrfToken("s1")), Map.of("Host", "h"), false);
        assertEquals(303, out.status);
        assertEquals(List.of("admin"), book.loggedOut);
        assertTrue(out.cookies().get(0).startsWith(BrowserSessions.COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"));
        assertEquals(303, get(servlet, "/", Map.of(BrowserSessions.COOKIE, "dev")).status, "a device's token is not a person's session");
    }

    @Test
    void escapingLeavesNoMarkup() {
        assertEquals("&lt;img src=x onerror=alert(1)&gt;", Html.text(XSS));
        assertEquals("&quot; onmouseover=&#39;x&#39; &amp;amp;", Html.text("\" onmouseover='x' &amp;"));
        assertEquals("a\uFFFDb", Html.text("a\u0000b"));
        assertEquals("", Html.text(null));
        String page = Pages.console(XSS, Set.of(Role.VOLUNTEER), "c\"srf");
        assertFalse(page.contains(XSS));
        assertTrue(page.contains("data-user=\"&lt;img src=x onerror=alert(1)&gt;\""));
        assertTrue(page.contains("content=\"c&quot;srf\""));
        assertTrue(page.contains("href=\"#devices\"") && !page.contains("href=\"#users\""), "a volunteer sees a volunteer's sections");
    }

    @Test
    void theScriptNeverParsesDataAsMarkupNorLoadsAnythingFromElsewhere() throws Exception {
        String js = Files.readString(Path.of("web/console.js"), StandardCharsets.UTF_8);
        assertFalse(js.matches("(?s).*innerHTML\\s*=[^=].*"), "no innerHTML assignment");
        assertFalse(js.contains("outerHTML") || js.contains("insertAdjacentHTML") || js.contains("document.write"));
        assertFalse(js.contains("eval(") || js.contains("new Function"));
        String withoutSvgNamespace = js.replace("'http://www.w3.org/2000/svg'", "");
        assertFalse(withoutSvgNamespace.contains("http://") || withoutSvgNamespace.contains("https://"), "nothing loaded from elsewhere");
    }
}
