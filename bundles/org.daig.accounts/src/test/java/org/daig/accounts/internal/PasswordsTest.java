package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;

import org.junit.jupiter.api.Test;

/** PBKDF2-HMAC-SHA256 password hashes: the production parameters, and every way a check must fail. */
class PasswordsTest {

    private final Passwords fast = new Passwords(1_000, Books.seeded(1));

    @Test
    void productionHashesUse600000IterationsA16ByteSaltAndA32ByteHash() {
        Passwords production = new Passwords(Books.seeded(2));
        Passwords.Hash hash = production.hash("correct horse battery");
        assertEquals(600_000, hash.iterations());
        assertEquals(16, Base64.getDecoder().decode(hash.salt()).length);
        assertEquals(32, Base64.getDecoder().decode(hash.hash()).length);
        assertTrue(production.matches("correct horse battery", hash));
        assertFalse(production.matches("correct horse batterY", hash));
    }

    @Test
    void theSameKnownVectorAsAnyPbkdf2Implementation() {
        // RFC 7914 section 11 (PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64): first 32 bytes
        Passwords.Hash known = new Passwords.Hash(Base64.getEncoder().encodeToString(java.util.HexFormat.of()
                .parseHex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")),
                Base64.getEncoder().encodeToString("salt".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 1);
        assertTrue(fast.matches("passwd", known));
    }

    @Test
    void eachHashHasItsOwnSalt() {
        Passwords.Hash a = fast.hash("the same password");
        Passwords.Hash b = fast.hash("the same password");
        assertNotEquals(a.salt(), b.salt());
        assertNotEquals(a.hash(), b.hash());
        assertTrue(fast.matches("the same password", a) && fast.matches("the same password", b));
    }

    @Test
    void wrongTamperedOrDamagedHashesDoNotMatch() {
        Passwords.Hash h = fast.hash("a good long password");
        assertFalse(fast.matches("a good long passwore", h));
        assertFalse(fast.matches(null, h));
        assertFalse(fast.matches("a good long password", null));
        byte[] bytes = Base64.getDecoder().decode(h.hash());
        bytes[0] ^= 1;
        assertFalse(fast.matches("a good long password", new Passwords.Hash(Base64.getEncoder().encodeToString(bytes), h.salt(), h.iterations())));
        assertFalse(fast.matches("a good long password", new Passwords.Hash(h.hash(), h.salt(), h.iterations() + 1)), "iterations are part of it");
        assertFalse(fast.matches("a good long password", new Passwords.Hash("not base64!", h.salt(), h.iterations())));
        assertFalse(fast.matches("a good long password", new Passwords.Hash(h.hash(), h.salt(), 0)));
        assertFalse(fast.matches("a good long password", new Passwords.Hash(h.hash(), h.salt(), Passwords.MAX_ITERATIONS + 1)),
                "a damaged row does not get to pin a CPU");
    }

    @Test
    void aHashMadeWithFewerIterationsIsOutdated() {
        Passwords production = new Passwords(Books.seeded(3));
        assertTrue(production.outdated(fast.hash("x")));
        assertFalse(fast.outdated(fast.hash("x")));
    }
}
