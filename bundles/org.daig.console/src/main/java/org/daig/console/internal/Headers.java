package org.daig.console.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The HTTP headers that make the console's pages safe to open, and its cookies. */
final class Headers {

    /**
     * Scripts and styles only from the console's own files (no inline script, no eval), data only
     * from this origin, no framing, forms only back to this origin.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private Headers() {
    }

    /** The headers of every console response. */
    static void secure(HttpServletResponse response) {
        response.setHeader("Content-Security-Policy", CSP);
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        // not no-referrer: with it, browsers send "Origin: null" on the console's own forms, and the origin check refuses them
        response.setHeader("Referrer-Policy", "same-origin");
        response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    }

    /**
     * A Set-Cookie value: HttpOnly (no script reads it), SameSite=Strict (no other site's page
     * makes the browser send it), Secure when the page came over TLS. {@code value} null deletes it.
     */
    static String cookie(String name, String value, String path, boolean secure) {
        StringBuilder c = new StringBuilder(name).append('=').append(value == null ? "" : value).append("; Path=").append(path)
                .append("; HttpOnly; SameSite=Strict");
        if (value == null) {
            c.append("; Max-Age=0");
        }
        if (secure) {
            c.append("; Secure");
        }
        return c.toString();
    }

    /**
     * Whether a form POST comes from a page of this origin: browsers send Origin with every POST;
     * one that names another origin (or "null", a sandboxed or privacy-redirected page) is refused.
     */
    static boolean sameOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return true; // not a browser's cross-site form (they all send it); the form token still has to match
        }
        String host = request.getHeader("Host");
        return host != null && origin.equals(request.getScheme() + "://" + host);
    }
}
