package org.daig.accounts.internal.http;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.daig.accounts.AccountAdmin;
import org.daig.accounts.AccountAdmin.Session;
import org.daig.accounts.AccountException;
import org.daig.api.account.Identity;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.JsonObject;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Sessions (docs/security.md, "Account endpoints"): {@code POST /api/v1/login}, {@code POST
 * /api/v1/logout}, {@code GET /api/v1/whoami}, {@code POST /api/v1/signup}.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/login",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/logout",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/whoami",
        "osgi.http.whiteboard.servlet.pattern=/api/v1/signup",
        "osgi.http.whiteboard.servlet.name=daig-sessions" })
public class SessionServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SessionServlet.class);

    @Reference
    private transient AccountAdmin accounts;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            switch (request.getServletPath()) {
            case "/api/v1/login" -> {
                JsonObject body = Http.body(request);
                Session s = accounts.login(Http.string(body, "user"), Http.string(body, "password"), request.getRemoteAddr());
                Http.send(response, 200, session(s));
            }
            case "/api/v1/signup" -> {
                JsonObject body = Http.body(request);
                Session s = accounts.signUp(Http.string(body, "user"), Http.string(body, "password"), request.getRemoteAddr());
                Http.send(response, 201, session(s));
            }
            case "/api/v1/logout" -> {
                Identity caller = Http.caller(request);
                if (caller == null) {
                    Http.error(response, 401, "log out needs the token to end");
                    return;
                }
                accounts.logout(caller);
                Http.noContent(response);
            }
            default -> Http.error(response, 405, "use GET for " + request.getServletPath());
            }
        } catch (Http.Refused e) {
            Http.error(response, e.status, e.getMessage());
        } catch (AccountException e) {
            Http.refuse(response, e);
        } catch (RuntimeException e) {
            LOG.error("POST {} failed: {}", request.getServletPath(), e.toString());
            Http.error(response, 500, "the coordinator could not do it; see its log");
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"/api/v1/whoami".equals(request.getServletPath())) {
            Http.error(response, 405, "use POST for " + request.getServletPath());
            return;
        }
        Identity caller = Http.caller(request);
        if (caller == null) {
            Http.error(response, 401, "this needs a token");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user", caller.user());
        body.put("roles", Http.roles(caller.roles()));
        body.put("scope", caller.scope().id());
        body.put("device", caller.device());
        body.put("tokenId", caller.tokenId());
        body.put("expiresAt", caller.expiresAt());
        Http.send(response, 200, body);
    }

    static Map<String, Object> session(Session s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", s.token());
        body.put("tokenId", s.tokenId());
        body.put("user", s.user());
        body.put("roles", Http.roles(s.roles()));
        body.put("expiresAt", s.expiresAt());
        return body;
    }
}
