package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The token and enrolment code formats: what parses, what never does, and the hash comparison. */
class SecretsTest {

    private final Secrets secrets = new Secrets(Books.seeded(7));

    @Test
    void aTokenIsDaigIdSecretWith256RandomBits() {
        String id = secrets.newId();
        String secret = secrets.newSecret(Secrets.TOKEN_SECRET_BYTES);
        String token = Secrets.format(Secrets.TOKEN_PREFIX, id, secret);
        assertTrue(token.matches("daig_[0-9a-f]{16}_[A-Za-z0-9_-]{43}"), token);
        assertEquals(32, Base64.getUrlDecoder().decode(secret).length);
        Secrets.Parsed parsed = Secrets.parse(token, Secrets.TOKEN_PREFIX).orElseThrow();
        assertEquals(id, parsed.id());
        assertEquals(secret, parsed.secret());
    }

    @Test
    void aCodeIsNotAToken() {
        String code = Secrets.format(Secrets.CODE_PREFIX, secrets.newId(), secrets.newSecret(Secrets.CODE_SECRET_BYTES));
        assertTrue(Secrets.parse(code, Secrets.CODE_PREFIX).isPresent());
        assertEquals(Optional.empty(), Secrets.parse(code, Secrets.TOKEN_PREFIX));
        String token = Secrets.format(Secrets.TOKEN_PREFIX, secrets.newId(), secrets.newSecret(Secrets.TOKEN_SECRET_BYTES));
        assertEquals(Optional.empty(), Secrets.parse(token, Secrets.CODE_PREFIX));
    }

    @Test
    void malformedInputNeverParses() {
        String good = Secrets.format(Secrets.TOKEN_PREFIX, secrets.newId(), secrets.newSecret(Secrets.TOKEN_SECRET_BYTES));
        for (String bad : new String[] { null, "", "daig_", "Bearer " + good, good + "x", good.substring(0, good.length() - 1),
            good.replace("daig_", "DAIG_"), good.toUpperCase(java.util.Locale.ROOT), good.replace('_', '.'), good + "\n", " " + good,
            "daig_0123456789abcdeg_" + good.substring(22), "x".repeat(10_000) }) {
            assertEquals(Optional.empty(), Secrets.parse(bad, Secrets.TOKEN_PREFIX), String.valueOf(bad));
        }
    }

    @Test
    void onlyTheSecretThatMadeTheHashMatchesIt() {
        String secret = secrets.newSecret(32);
        String stored = Secrets.sha256Hex(secret);
        assertEquals(64, stored.length());
        assertTrue(Secrets.hashMatches(secret, stored));
        assertFalse(Secrets.hashMatches(secret + "x", stored));
        assertFalse(Secrets.hashMatches(secret, null));
        assertFalse(Secrets.hashMatches(secret, stored.substring(1)));
    }

    @Test
    void theSameSeedGivesTheSameSecretsAndAnotherSeedOthers() {
        assertEquals(new Secrets(Books.seeded(9)).newId(), new Secrets(Books.seeded(9)).newId());
        assertFalse(new Secrets(Books.seeded(9)).newId().equals(new Secrets(Books.seeded(10)).newId()));
    }
}
