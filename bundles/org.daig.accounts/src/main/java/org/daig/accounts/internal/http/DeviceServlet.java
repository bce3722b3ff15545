package org.daig.accounts.internal.http;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.daig.accounts.AccountAdmin;
import org.daig.accounts.AccountAdmin.DeviceToken;
import org.daig.accounts.AccountException;
import org.daig.api.account.Identity;
import org.daig.api.account.Scope;
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
 * {@code POST /api/v1/devices}: enrols a provider machine, with a volunteer's token or with an
 * enrolment code in the body (the filter lets a request without a token through to here, and
 * this servlet then refuses it unless the code is good); {@code GET /api/v1/devices}: the caller's
 * devices (an admin's: all).
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/devices",
        "osgi.http.whiteboard.servlet.name=daig-devices" })
public class DeviceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeviceServlet.class);

    @Reference
    private transient AccountAdmin accounts;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            JsonObject body = Http.body(request);
            String deviceId = Http.string(body, "deviceId");
            String name = Http.string(body, "name");
            String code = Http.string(body, "code");
            Identity caller = Http.caller(request);
            DeviceToken token;
            if (caller != null) {
                token = accounts.enrolDevice(caller, deviceId, name);
            } else if (code != null) {
                token = accounts.enrolDeviceWithCode(code, deviceId, name, request.getRemoteAddr());
            } else {
                response.setHeader("WWW-Authenticate", AuthFilter.CHALLENGE);
                Http.error(response, 401, "enrolling a device needs a volunteer's token or an enrolment code ('code')");
                return;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("token", token.token());
            out.put("tokenId", token.tokenId());
            out.put("user", token.user());
            out.put("device", token.device());
            out.put("coordinatorId", token.coordinatorId());
            out.put("expiresAt", token.expiresAt());
            Http.send(response, 201, out);
        } catch (Http.Refused e) {
            Http.error(response, e.status, e.getMessage());
        } catch (AccountException e) {
            Http.refuse(response, e);
        } catch (RuntimeException e) {
            LOG.error("POST /api/v1/devices failed: {}", e.toString());
            Http.error(response, 500, "the coordinator could not do it; see its log");
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity caller = Http.caller(request);
        if (caller == null || caller.scope() == Scope.SERVICE) {
            Http.error(response, 401, "this needs a token");
            return;
        }
        try {
            Http.send(response, 200, accounts.devices(caller));
        } catch (RuntimeException e) {
            LOG.error("GET /api/v1/devices failed: {}", e.toString());
            Http.error(response, 500, "the coordinator could not answer; see its log");
        }
    }
}
