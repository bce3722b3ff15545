package org.daig.accounts.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes: PBKDF2-HMAC-SHA256 from the JDK, a 16-byte random salt per password, 32-byte
 * output. The iteration count is stored with each hash, so raising it later leaves old hashes
 * verifiable (and they are re-hashed at the next login). Comparison is constant-time.
 */
public final class Passwords {

    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    public static final int ITERATIONS = 600_000;
    /** A stored count above this is refused rather than run: a damaged row must not pin a CPU for minutes. */
    static final int MAX_ITERATIONS = 10_000_000;
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    /** A stored password: Base64 hash and salt, and the iterations that made it. */
    public record Hash(String hash, String salt, int iterations) {
    }

    private final int iterations;
    private final SecureRandom random;

    public Passwords(SecureRandom random) {
        this(ITERATIONS, random);
    }

    /** With fewer iterations: for tests only, where 600,000 per hash would make them slow. */
    Passwords(int iterations, SecureRandom random) {
        this.iterations = iterations;
        this.random = random;
    }

    public int iterations() {
        return iterations;
    }

    public Hash hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return new Hash(b64.encodeToString(derive(password, salt, iterations)), b64.encodeToString(salt), iterations);
    }

    /** Whether {@code password} is the one {@code stored} was made from (constant-time in the hash). */
    public boolean matches(String password, Hash stored) {
        if (password == null || stored == null || stored.iterations() < 1 || stored.iterations() > MAX_ITERATIONS) {
            return false;
        }
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] expected = b64.decode(stored.hash());
            byte[] actual = derive(password, b64.decode(stored.salt()), stored.iterations());
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException damaged) {
            return false;
        }
    }

    /** Spends the time of one verification, so "no such user" takes as long as "wrong password". */
    public void burn(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        derive(password == null ? "" : password, salt, iterations);
    }

    /** Whether a hash was made with fewer iterations than this instance uses now. */
    public boolean outdated(Hash stored) {
        return stored.iterations() < iterations;
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }
}
