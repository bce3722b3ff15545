package org.daig.broker;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.security.IAuthenticator;

/**
 * Lets a client in only with a user name equal to its client id and a password that
 * {@link Accounts#verifyClient} accepts as that client's device token or the coordinator's
 * service token. Binding the client id to the user stops a client from taking over another's
 * session (MQTT drops the older connection with the same client id) and makes the ACL's "its id"
 * the authenticated one. Remembers who each client id authenticated as, for {@link TopicPolicy}.
 */
final class ClientAuthenticator implements IAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(ClientAuthenticator.class);
    /** Longer passwords are refused unread: tokens are short, and the account store need not hash megabytes. */
    static final int MAX_PASSWORD_BYTES = 1024;

    private final Supplier<Accounts> accounts;
    private final Map<String, Identity> identities = new ConcurrentHashMap<>();
    private volatile boolean saidNoAccounts;

    ClientAuthenticator(Supplier<Accounts> accounts) {
        this.accounts = accounts;
    }

    @Override
    public boolean checkValid(String clientId, String username, byte[] password) {
        Optional<String> refusal = refusal(clientId, username, password);
        if (refusal.isPresent()) {
            LOG.warn("Embedded MQTT broker refused client '{}': {}", Printable.of(clientId), refusal.get());
            return false;
        }
        return true;
    }

    private Optional<String> refusal(String clientId, String username, byte[] password) {
        if (username == null || password == null) {
            return Optional.of("no user name and password");
        }
        if (!username.equals(clientId)) {
            return Optional.of("its user name '" + Printable.of(username) + "' is not its client id");
        }
        if (password.length > MAX_PASSWORD_BYTES) {
            return Optional.of("its password is longer than " + MAX_PASSWORD_BYTES + " bytes");
        }
        Accounts store = accounts.get();
        if (store == null) {
            if (!saidNoAccounts) {
                saidNoAccounts = true;
                LOG.error("Embedded MQTT broker: no account service (org.daig.api.account.Accounts) is running, so every "
                        + "client is refused. Start the accounts bundle, or set allowAnonymous=true in {} on a trusted machine only.",
                        EmbeddedBrokerConfig.PID);
            }
            return Optional.of("no account service to check its token");
        }
        saidNoAccounts = false;
        Optional<Identity> identity = store.verifyClient(username, new String(password, StandardCharsets.UTF_8));
        if (identity.isEmpty()) {
            return Optional.of("its token is unknown, expired or revoked, or not for this client id");
        }
        Identity who = identity.get();
        boolean bound = who.scope() == Scope.SERVICE || who.scope() == Scope.DEVICE && clientId.equals(who.device());
        if (!bound) {
            return Optional.of("its token (" + who.scope().id() + ") is not a device or service token for this client id");
        }
        identities.put(clientId, who);
        return Optional.empty();
    }

    /** Who {@code clientId} last authenticated as; null if it never did. */
    Identity identity(String clientId) {
        return clientId == null ? null : identities.get(clientId);
    }
}
