package org.daig.accounts.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bearer secrets: tokens {@code daig_<id>_<secret>} and enrolment codes {@code daigcode_<id>_<secret>}.
 * The id (16 hex digits) names the secret in lists, logs and revocation; the secret is 256 random
 * bits (tokens) or 128 (codes) in base64url. Only the SHA-256 of the secret is stored, and stored
 * hashes are compared in constant time.
 */
public final class Secrets {

    public static final String TOKEN_PREFIX = "daig_";
    public static final String CODE_PREFIX = "daigcode_";
    static final int TOKEN_SECRET_BYTES = 32;
    static final int CODE_SECRET_BYTES = 16;
    /** Longer input is not even parsed: a real token is 5 + 16 + 1 + 43 characters. */
    static final int MAX_LENGTH = 128;
    private static final Pattern TOKEN = Pattern.compile("daig_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final Pattern CODE = Pattern.compile("daigcode_([0-9a-f]{16})_([A-Za-z0-9_-]{22})");

    /** A secret taken apart: its kind's prefix, its public id and its secret part. */
    public record Parsed(String prefix, String id, String secret) {
    }

    private final SecureRandom random;

    public Secrets(SecureRandom random) {
        this.random = random;
    }

    public String newId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public String newSecret(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    public static String format(String prefix, String id, String secret) {
        return prefix + id + "_" + secret;
    }

    /** The parts of {@code value} if it is a well-formed secret with {@code prefix}; empty otherwise (never throws). */
    public static Optional<Parsed> parse(String value, String prefix) {
        if (value == null || value.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        Matcher m = (TOKEN_PREFIX.equals(prefix) ? TOKEN : CODE_PREFIX.equals(prefix) ? CODE : TOKEN).matcher(value);
        if (!m.matches() || !value.startsWith(prefix)) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(prefix, m.group(1), m.group(2)));
    }

    public static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Whether {@code secret} hashes to {@code storedHex}, compared in constant time. */
    public static boolean hashMatches(String secret, String storedHex) {
        if (storedHex == null) {
            return false;
        }
        byte[] expected = storedHex.getBytes(StandardCharsets.US_ASCII);
        byte[] actual = sha256Hex(secret).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, actual);
    }

    /** A random password for generated accounts: 24 characters of base64url (144 bits). */
    public String newPassword() {
        return newSecret(18);
    }
}
