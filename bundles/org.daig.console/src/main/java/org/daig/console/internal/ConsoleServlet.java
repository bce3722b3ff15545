package org.daig.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.daig.accounts.AccountAdmin;
import org.daig.accounts.AccountException;
import org.daig.accounts.BrowserSessions;
import org.daig.api.account.Identity;
import org.daig.api.account.Scope;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The web console (docs/console.md) on the coordinator's own HTTP server, so under its TLS:
 * <pre>
 * GET  /console/          the pages the account's roles open; without a session → /console/login
 * GET  /console/login     the login form
 * POST /console/login     user, password, form → the session cookie and /console/ (rate-limited as every login)
 * POST /console/logout    csrf → the session's token revoked, the cookie deleted
 * GET  /console/static/*  console.js, console.css
 * </pre>
 * The session is an ordinary login's token in an HttpOnly, SameSite=Strict cookie
 * ({@link BrowserSessions}); the pages' data come from the JSON API, which accepts that cookie.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/console",
        "osgi.http.whiteboard.servlet.pattern=/console/*",
        "osgi.http.whiteboard.servlet.name=daig-console",
        "daig.ready.with=coordinator" }) // the coordinator's ready line waits until /console answers (org.daig.runtime's ReadyLine)
public class ConsoleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);
    /** The login form's double-submit cookie: a random value the form repeats, so another site cannot post the form. */
    static final String FORM_COOKIE = "daig-login-form";
    private static final Map<String, String> STATIC = Map.of("/static/console.js", "text/javascript", "/static/console.css", "text/css");
    private static final int MAX_FORM = 8 * 1024;

    private final transient SecureRandom random = new SecureRandom();

    @Reference
    private transient AccountAdmin accounts;

    /** For Declarative Services. */
    public ConsoleServlet() {
    }

    /** Outside DS (tests). */
    ConsoleServlet(AccountAdmin accounts) {
        this.accounts = accounts;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Headers.secure(response);
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (STATIC.containsKey(path)) {
            resource(path, response);
            return;
        }
        response.setHeader("Cache-Control", "no-store");
        switch (path) {
        case "", "/" -> {
            Optional<Session> session = session(request);
            if (session.isEmpty()) {
                redirect(response, "/console/login");
                return;
            }
            Identity who = session.get().identity();
            html(response, 200, Pages.console(who.user(), who.roles(), BrowserSessions.csrfToken(session.get().token())));
        }
        case "/login" -> {
            if (session(request).isPresent()) {
                redirect(response, "/console/");
                return;
            }
            loginForm(request, response, 200, null, null);
        }
        default -> html(response, 404, Pages.message("Not found", "The console has no page " + path + "."));
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Headers.secure(response);
        response.setHeader("Cache-Control", "no-store");
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (!Headers.sameOrigin(request)) {
            html(response, 403, Pages.message("Refused", "A form from another site was refused: open the console itself."));
            return;
        }
        if (request.getContentLength() > MAX_FORM) {
            html(response, 413, Pages.message("Refused", "The form is too large."));
            return;
        }
        switch (path) {
        case "/login" -> login(request, response);
        case "/logout" -> logout(request, response);
        default -> html(response, 404, Pages.message("Not found", "The console has no form " + path + "."));
        }
    }

    private void login(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String form = cookie(request, FORM_COOKIE);
        String user = request.getParameter("user");
        if (form == null || !form.equals(request.getParameter("form"))) {
            loginForm(request, response, 403, user, "The form had expired (or came from another page): please log in again.");
            return;
        }
        try {
            AccountAdmin.Session s = accounts.login(user, request.getParameter("password"), request.getRemoteAddr());
            response.addHeader("Set-Cookie", Headers.cookie(BrowserSessions.COOKIE, s.token(), "/", request.isSecure()));
            response.addHeader("Set-Cookie", Headers.cookie(FORM_COOKIE, null, "/console/login", request.isSecure()));
            redirect(response, "/console/");
        } catch (AccountException e) {
            if (e.reason() == AccountException.Reason.RATE_LIMITED) {
                response.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
            }
            loginForm(request, response, e.reason().httpStatus(), user, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Console login failed: {}", e.toString());
            loginForm(request, response, 500, user, "The coordinator could not log you in; see its log.");
        }
    }

    private void logout(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String token = cookie(request, BrowserSessions.COOKIE);
        if (token != null) {
            if (!BrowserSessions.csrfMatches(token, request.getParameter("csrf"))) {
                html(response, 403, Pages.message("Refused", "Log out from the console's own button."));
                return;
            }
            accounts.verify(token).ifPresent(accounts::logout);
        }
        response.addHeader("Set-Cookie", Headers.cookie(BrowserSessions.COOKIE, null, "/", request.isSecure()));
        redirect(response, "/console/login");
    }

    private void loginForm(HttpServletRequest request, HttpServletResponse response, int status, String user, String message)
            throws IOException {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String form = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        response.addHeader("Set-Cookie", Headers.cookie(FORM_COOKIE, form, "/console/login", request.isSecure()));
        html(response, status, Pages.login(form, user, message));
    }

    /** A signed-in person's session: the cookie's token and who it stands for (device and service tokens do not open the console). */
    record Session(String token, Identity identity) {
    }

    Optional<Session> session(HttpServletRequest request) {
        String token = cookie(request, BrowserSessions.COOKIE);
        if (token == null) {
            return Optional.empty();
        }
        return accounts.verify(token).filter(i -> i.scope() == Scope.API).map(i -> new Session(token, i));
    }

    static String cookie(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (name.equals(c.getName()) && c.getValue() != null && !c.getValue().isBlank()) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private static void redirect(HttpServletResponse response, String to) {
        response.setStatus(303);
        response.setHeader("Location", to);
    }

    private static void html(HttpServletResponse response, int status, String page) throws IOException {
        response.setStatus(status);
        response.setContentType("text/html");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(page);
    }

    private void resource(String path, HttpServletResponse response) throws IOException {
        try (InputStream in = ConsoleServlet.class.getClassLoader().getResourceAsStream("web" + path.substring("/static".length()))) {
            if (in == null) {
                response.sendError(404);
                return;
            }
            byte[] bytes = in.readAllBytes();
            response.setStatus(200);
            response.setContentType(STATIC.get(path));
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.setHeader("Cache-Control", "no-cache");
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
        }
    }
}
