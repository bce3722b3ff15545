package org.daig.accounts.internal.http;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.daig.accounts.AccountAdmin;
import org.daig.accounts.AccountAdmin.BrokerFiles;
import org.daig.accounts.AccountAdmin.EnrolmentCode;
import org.daig.accounts.AccountAdmin.UserView;
import org.daig.accounts.AccountException;
import org.daig.accounts.internal.Names;
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
 * The admin's account endpoints under {@code /api/v1/admin/} (docs/security.md, "Account
 * endpoints"): users, enrolment codes, sign-up, Mosquitto's files. Only an admin's API session
 * gets past the first check; anyone else is answered 403 before the body is read.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/admin/*",
        "osgi.http.whiteboard.servlet.name=daig-account-admin" })
public class AdminServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AdminServlet.class);

    @Reference
    private transient AccountAdmin accounts;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!admin(request, response)) {
            return;
        }
        try {
            switch (pathInfo(request)) {
            case "/users" -> Http.send(response, 200, accounts.users().stream().map(AdminServlet::user).toList());
            case "/broker-config" -> {
                BrokerFiles files = accounts.brokerFiles();
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("passwordFile", files.passwordFile());
                out.put("aclFile", files.aclFile());
                Http.send(response, 200, out);
            }
            default -> Http.error(response, 404, "no such admin resource");
            }
        } catch (RuntimeException e) {
            LOG.error("GET /api/v1/admin{} failed: {}", pathInfo(request), e.toString());
            Http.error(response, 500, "the coordinator could not answer; see its log");
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!admin(request, response)) {
            return;
        }
        String path = pathInfo(request);
        List<String> parts = List.of(path.substring(1).split("/", -1));
        try {
            if (path.equals("/users")) {
                JsonObject body = Http.body(request);
                UserView created = accounts.createUser(Http.string(body, "user"), Http.string(body, "password"),
                        Names.roles(Http.strings(body, "roles")));
                Http.send(response, 201, user(created));
            } else if (parts.size() == 3 && parts.get(0).equals("users")) {
                userAction(request, response, parts.get(1), parts.get(2));
            } else if (path.equals("/enrolment-codes")) {
                JsonObject body = Http.body(request);
                EnrolmentCode code = accounts.createEnrolmentCode(Http.string(body, "user"), Http.integer(body, "uses", 1),
                        Http.integer(body, "validHours", 24));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("code", code.code());
                out.put("user", code.user());
                out.put("uses", code.uses());
                out.put("expiresAt", code.expiresAt());
                Http.send(response, 201, out);
            } else if (path.equals("/signup")) {
                Boolean open = Http.bool(Http.body(request), "open");
                if (open == null) {
                    throw new Http.Refused(400, "open: must be true or false");
                }
                accounts.setSignUpOpen(open);
                Http.noContent(response);
            } else {
                Http.error(response, 404, "no such admin resource");
            }
        } catch (Http.Refused e) {
            Http.error(response, e.status, e.getMessage());
        } catch (AccountException e) {
            Http.refuse(response, e);
        } catch (RuntimeException e) {
            LOG.error("POST /api/v1/admin{} failed: {}", path.replaceAll("[^A-Za-z0-9._/-]", "?"), e.toString());
            Http.error(response, 500, "the coordinator could not do it; see its log");
        }
    }

    private void userAction(HttpServletRequest request, HttpServletResponse response, String user, String action)
            throws IOException, AccountException, Http.Refused {
        switch (action) {
        case "disable", "enable" -> {
            accounts.setDisabled(user, action.equals("disable"));
            Http.noContent(response);
        }
        case "password" -> {
            accounts.setPassword(user, Http.string(Http.body(request), "password"));
            Http.noContent(response);
        }
        case "revoke" -> Http.send(response, 200, Map.of("revoked", accounts.revokeTokens(user)));
        case "roles" -> Http.send(response, 200, user(accounts.setRoles(user, Names.roles(Http.strings(Http.body(request), "roles")))));
        default -> Http.error(response, 404, "no such action: use disable, enable, password, roles or revoke");
        }
    }

    /** Only an admin's API session passes; 401 without a caller (the filter normally sees to that), 403 otherwise. */
    private static boolean admin(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity caller = Http.caller(request);
        if (caller == null) {
            Http.error(response, 401, "this needs a token");
            return false;
        }
        if (!caller.isAdmin()) {
            Http.error(response, 403, "this needs an admin's login");
            return false;
        }
        return true;
    }

    private static String pathInfo(HttpServletRequest request) {
        String info = request.getPathInfo();
        return info == null ? "/" : info;
    }

    private static Map<String, Object> user(UserView u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", u.user());
        out.put("roles", Http.roles(u.roles()));
        out.put("disabled", u.disabled());
        out.put("createdAt", u.createdAt());
        out.put("lastLoginAt", u.lastLoginAt());
        return out;
    }
}
