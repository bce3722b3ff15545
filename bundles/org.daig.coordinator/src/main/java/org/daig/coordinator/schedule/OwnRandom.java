package org.daig.coordinator.schedule;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A SecureRandom of a caller's own. {@code new SecureRandom()} and {@link java.util.UUID#randomUUID}
 * use NativePRNG on Linux, which reads /dev/urandom under one lock for the whole JVM: under load the
 * task exchange waited there behind every upload's temporary file. A DRBG instance locks only itself.
 */
public final class OwnRandom {

    private OwnRandom() {
    }

    public static SecureRandom create() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom(); // every JDK since 9 has DRBG; this is only in case
        }
    }
}
