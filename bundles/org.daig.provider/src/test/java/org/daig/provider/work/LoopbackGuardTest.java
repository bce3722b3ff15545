package org.daig.provider.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Web pages must not reach the provider's loopback port: each attack and each good request, by its headers. */
class LoopbackGuardTest {

    private static final String TOKEN = "0123456789abcdef";
    private static final String BEARER = "Bearer " + TOKEN;

    static Stream<Arguments> requests() {
        return Stream.of(
                // changes, Host, Origin, Authorization -> expected status (0: let through)
                Arguments.of("the volunteer's own POST (curl, the tray)", true, "127.0.0.1:7701", null, BEARER, 0),
                Arguments.of("localhost and IPv6 loopback are loopback too", true, "localhost:7701", null, BEARER, 0),
                Arguments.of("IPv6 loopback", true, "[::1]:7701", null, BEARER, 0),
                Arguments.of("a page served from the loopback itself", true, "127.0.0.1:7701", "http://127.0.0.1:7701", BEARER, 0),
                Arguments.of("reading the status needs no token", false, "127.0.0.1:7701", null, null, 0),
                Arguments.of("POST without the token", true, "127.0.0.1:7701", null, null, 401),
                Arguments.of("POST with a wrong token", true, "127.0.0.1:7701", null, "Bearer 0123456789abcdeF", 401),
                Arguments.of("POST with the token in another scheme", true, "127.0.0.1:7701", null, "Basic " + TOKEN, 401),
                Arguments.of("cross-site POST from a web page", true, "127.0.0.1:7701", "https://evil.example", null, 403),
                Arguments.of("cross-site POST, even if it guessed the token", true, "127.0.0.1:7701", "https://evil.example", BEARER, 403),
                Arguments.of("a sandboxed page (Origin: null)", true, "127.0.0.1:7701", "null", BEARER, 403),
                Arguments.of("DNS rebinding: the attacker's name in Host", false, "evil.example:7701", null, null, 403),
                Arguments.of("DNS rebinding with the token", true, "evil.example:7701", null, BEARER, 403),
                Arguments.of("a loopback-looking prefix of another name", false, "127.0.0.1.evil.example", null, null, 403),
                Arguments.of("no Host at all", false, null, null, null, 403));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void refusesWhatAWebPageCouldSend(String what, boolean changes, String host, String origin, String authorization, int status) {
        LoopbackGuard.Refusal refusal = new LoopbackGuard(TOKEN).check(changes, host, origin, authorization);
        if (status == 0) {
            assertNull(refusal, what);
        } else {
            assertEquals(status, refusal == null ? 0 : refusal.status(), what);
        }
    }

    @Test
    void theLocalTokenIsRandomKeptAndReadableByTheOwnerOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("provider").resolve("local-token");
        String token = LoopbackGuard.localToken(file);

        assertEquals(64, token.length(), "256 random bits as hex");
        assertEquals(token, LoopbackGuard.localToken(file), "the same token after a restart");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(!token.equals(LoopbackGuard.localToken(dir.resolve("other"))), "another data folder, another token");
    }
}
