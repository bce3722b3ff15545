package org.daig.provider.work;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keeps web pages out of the provider's loopback port. The port listens on 127.0.0.1 only, but any
 * page the volunteer's browser opens can still send requests there: a cross-site POST, or, after
 * DNS rebinding, a request whose Host is the attacker's name. So every request must name a
 * loopback host, a request from a page must come from a loopback origin, and a request that
 * changes something must carry the local token — a random secret in a file only the volunteer's
 * account can read ({@code <data>/provider/local-token}).
 */
final class LoopbackGuard {

    /** Why a request is refused (HTTP status and a message), or null to let it through. */
    record Refusal(int status, String message) {
    }

    private static final Pattern LOOPBACK_HOST = Pattern.compile("(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d{1,5})?");
    private static final Pattern LOOPBACK_ORIGIN = Pattern.compile("https?://" + LOOPBACK_HOST.pattern());

    private final byte[] token;

    LoopbackGuard(String token) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param changes       whether the request changes something (POST)
     * @param host          the Host header (null if absent)
     * @param origin        the Origin header (null if absent: not sent by a web page's script)
     * @param authorization the Authorization header (null if absent)
     */
    Refusal check(boolean changes, String host, String origin, String authorization) {
        if (host == null || !LOOPBACK_HOST.matcher(host.toLowerCase(Locale.ROOT)).matches()) {
            return new Refusal(403, "the provider answers only requests addressed to 127.0.0.1, localhost or [::1]");
        }
        if (origin != null && !LOOPBACK_ORIGIN.matcher(origin.toLowerCase(Locale.ROOT)).matches()) {
            return new Refusal(403, "requests from web pages of other sites are refused");
        }
        if (changes && !tokenMatches(authorization)) {
            return new Refusal(401, "send the local token: Authorization: Bearer <the contents of provider/local-token in the data folder>");
        }
        return null;
    }

    private boolean tokenMatches(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(token, given); // constant time
    }

    /** The token in {@code file}, created (random, 256 bits, readable by the owner only) when missing. */
    static String localToken(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Files.createDirectories(file.getParent());
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file); // Windows: the profile's ACL keeps it to the user
            }
        } catch (FileAlreadyExistsException raced) {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        Files.writeString(file, token, StandardCharsets.US_ASCII);
        return token;
    }
}
