package org.daig.broker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.junit.jupiter.api.Test;

import io.moquette.broker.subscriptions.Topic;

/** The authenticator and the topic policy with a stand-in account store (the OSGi test BrokerAuthTest uses a real broker). */
class ClientAuthenticatorTest {

    private static final Identity P1 = new Identity("alice", Set.of(Role.VOLUNTEER), Scope.DEVICE, "p1", "t1", Long.MAX_VALUE);
    private static final Identity PERSON = new Identity("alice", Set.of(Role.VOLUNTEER), Scope.API, null, "t3", Long.MAX_VALUE);

    /** Knows token "good-p1" for client p1, and a person's token "api" it (wrongly) hands out for p1 too. */
    private static final Accounts STORE = new Accounts() {
        private final Map<String, Identity> byToken = Map.of("good-p1", P1, "api", PERSON);

        @Override
        public Optional<Identity> verify(String token) {
            return Optional.ofNullable(byToken.get(token));
        }

        @Override
        public Optional<Identity> verifyClient(String username, String password) {
            return verify(password);
        }
    };

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDeviceGetsInWithItsTokenUnderItsOwnIdAndMayThenWriteItsSubtree() {
        ClientAuthenticator auth = new ClientAuthenticator(() -> STORE);
        assertTrue(auth.checkValid("p1", "p1", bytes("good-p1")));
        assertSame(P1, auth.identity("p1"));
        TopicPolicy policy = new TopicPolicy(auth::identity);
        assertTrue(policy.canWrite(new Topic("daig/v1/providers/p1/presence"), "p1", "p1"));
        assertFalse(policy.canWrite(new Topic("daig/v1/providers/p2/presence"), "p1", "p1"));
        assertFalse(policy.canWrite(new Topic("daig/v1/providers/p1/presence"), "p2", "p1"), "user and client differ");
    }

    @Test
    void everyOtherConnectIsRefusedAndRemembersNobody() {
        ClientAuthenticator auth = new ClientAuthenticator(() -> STORE);
        assertFalse(auth.checkValid("p1", null, null), "anonymous");
        assertFalse(auth.checkValid("p1", "p1", null), "no password");
        assertFalse(auth.checkValid("p1", "p1", bytes("wrong")), "wrong token");
        assertFalse(auth.checkValid("p2", "p1", bytes("good-p1")), "client id is not the user name");
        assertFalse(auth.checkValid("p2", "p2", bytes("good-p1")), "a device token bound to another client id");
        assertFalse(auth.checkValid("p1", "p1", bytes("api")), "a person's API token");
        assertFalse(auth.checkValid("p1", "p1", new byte[ClientAuthenticator.MAX_PASSWORD_BYTES + 1]), "an oversized password");
        assertNull(auth.identity("p1"));
        assertNull(auth.identity("p2"));
        assertFalse(new TopicPolicy(auth::identity).canWrite(new Topic("daig/v1/providers/p1/presence"), "p1", "p1"));
    }

    @Test
    void withoutAnAccountServiceEveryoneIsRefused() {
        ClientAuthenticator auth = new ClientAuthenticator(() -> null);
        assertFalse(auth.checkValid("p1", "p1", bytes("good-p1")));
        assertNull(auth.identity("p1"));
    }

    @Test
    void aFailedConnectUnderALiveClientIdDoesNotTakeItsRightsAway() {
        ClientAuthenticator auth = new ClientAuthenticator(() -> STORE);
        assertTrue(auth.checkValid("p1", "p1", bytes("good-p1")));
        assertFalse(auth.checkValid("p1", "p1", bytes("guess")));
        assertSame(P1, auth.identity("p1"), "the live connection keeps its identity");
    }
}
