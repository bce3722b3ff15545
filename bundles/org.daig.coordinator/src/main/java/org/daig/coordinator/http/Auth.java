package org.daig.coordinator.http;

import java.io.IOException;

import org.daig.api.account.Identity;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The caller of an HTTP request, as the authentication filter in front of every servlet left it
 * ({@link Identity#REQUEST_ATTRIBUTE}). A request without one is anonymous: the servlets answer
 * 401 themselves, so a path the filter missed is still closed.
 */
final class Auth {

    private Auth() {
    }

    /** The caller, or null when the request carries no identity. */
    static Identity identity(HttpServletRequest request) {
        return request.getAttribute(Identity.REQUEST_ATTRIBUTE) instanceof Identity identity ? identity : null;
    }

    static void unauthorized(HttpServletResponse response) throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"daig\"");
        Json.error(response, HttpServletResponse.SC_UNAUTHORIZED, "sign in first: send Authorization: Bearer <token> (daig login)");
    }
}
