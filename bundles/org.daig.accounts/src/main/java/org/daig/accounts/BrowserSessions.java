package org.daig.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * How a browser holds a session (docs/security.md, "The web console"): the token of an ordinary
 * login in an HttpOnly, SameSite=Strict cookie, which the authentication filter accepts like a
 * bearer token; but a request that changes something (any method but GET, HEAD, OPTIONS) with that
 * cookie must also carry the session's CSRF token in a header. The CSRF token is derived from the
 * session token by a one-way hash, so the server keeps no state for it, a page can be given it
 * without giving away the session, and another site can neither read nor compute it.
 */
public final class BrowserSessions {

    /** The cookie that carries the session token. */
    public static final String COOKIE = "daig-session";
    /** The header a state change with the cookie must carry. */
    public static final String CSRF_HEADER = "X-DAIG-CSRF";

    private BrowserSessions() {
    }

    /** The CSRF token that belongs to a session token. */
    public static String csrfToken(String sessionToken) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("daig-console-csrf\0".getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest(sessionToken.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Whether {@code presented} is the session's CSRF token (compared in constant time). */
    public static boolean csrfMatches(String sessionToken, String presented) {
        return presented != null && MessageDigest.isEqual(csrfToken(sessionToken).getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a method only reads (the cookie alone suffices for it). */
    public static boolean safeMethod(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    }
}
