package org.daig.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers: a blob's id is the lower-case hex digest of its bytes. */
final class Hashing {

    static final int BUFFER_BYTES = 64 * 1024;

    private Hashing() {
    }

    /** A copy buffer for {@code bytes} bytes: no larger than they need (a small delta is most uploads), at most {@link #BUFFER_BYTES}. */
    static byte[] buffer(long bytes) {
        return new byte[(int) Math.max(1, Math.min(BUFFER_BYTES, bytes))];
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM offers no SHA-256", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** Feeds the first {@code length} bytes of a file to the digest. */
    static void update(MessageDigest digest, Path file, long length) throws IOException {
        byte[] buffer = buffer(length);
        long left = length;
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(file + " ended after " + (length - left) + " of " + length + " bytes while being hashed");
                }
                digest.update(buffer, 0, n);
                left -= n;
            }
        }
    }
}
