package org.daig.accounts.internal;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

import org.daig.accounts.internal.AccountStore.TokenRow;
import org.daig.accounts.internal.AccountStore.UserRow;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and checks bearer tokens. A token is shown once, when issued; the store keeps its id,
 * the SHA-256 of its secret and, for device and service tokens (the ones an MQTT broker sees),
 * its Mosquitto {@code $7$} hash. A check reads the token and its account in one transaction, so
 * a revocation or a disabled account counts from the next request on.
 */
public final class TokenBook {

    private static final Logger LOG = LoggerFactory.getLogger(TokenBook.class);

    /** A token just issued: the whole token (secret included) exists only in this object. */
    public record Issued(String token, String tokenId, long expiresAt) {
    }

    private final AccountDatabase db;
    private final Secrets secrets;
    private final SecureRandom random;
    private final LongSupplier clock;

    public TokenBook(AccountDatabase db, SecureRandom random, LongSupplier clock) {
        this.db = db;
        this.secrets = new Secrets(random);
        this.random = random;
        this.clock = clock;
    }

    /** Issues a token inside the caller's transaction. */
    public Issued issue(Connection c, String user, Scope scope, String device, long expiresAt) throws SQLException {
        String id = secrets.newId();
        String secret = secrets.newSecret(Secrets.TOKEN_SECRET_BYTES);
        String token = Secrets.format(Secrets.TOKEN_PREFIX, id, secret);
        String mosquitto = scope == Scope.API ? null : MosquittoHash.hash(token, random);
        AccountStore.insertToken(c, new TokenRow(id, Secrets.sha256Hex(secret), user, scope, device, clock.getAsLong(), expiresAt, null,
                mosquitto));
        return new Issued(token, id, expiresAt);
    }

    /**
     * The identity {@code token} stands for, or empty: malformed, unknown, wrong secret, expired,
     * revoked, or (except for the service token) its account missing or disabled. Never throws.
     */
    public Optional<Identity> verify(String token) {
        Optional<Secrets.Parsed> parsed = Secrets.parse(token, Secrets.TOKEN_PREFIX);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        try {
            return db.transaction(c -> {
                Optional<TokenRow> row = AccountStore.token(c, parsed.get().id());
                if (row.isEmpty() || !Secrets.hashMatches(parsed.get().secret(), row.get().secretSha256())) {
                    return Optional.<Identity>empty();
                }
                TokenRow t = row.get();
                if (t.revokedAt() != null || t.expiresAt() <= clock.getAsLong()) {
                    return Optional.<Identity>empty();
                }
                if (t.scope() == Scope.SERVICE) {
                    return Optional.of(new Identity(t.user(), Set.<Role>of(), t.scope(), null, t.tokenId(), t.expiresAt()));
                }
                Optional<UserRow> user = AccountStore.user(c, t.user());
                if (user.isEmpty() || user.get().disabled()) {
                    return Optional.<Identity>empty();
                }
                return Optional.of(new Identity(t.user(), user.get().roles(), t.scope(), t.scope() == Scope.DEVICE ? t.device() : null,
                        t.tokenId(), t.expiresAt()));
            });
        } catch (SQLException | RuntimeException e) {
            LOG.error("Checking token {} failed: {}", parsed.get().id(), e.toString());
            return Optional.empty();
        }
    }

    public boolean revoke(String tokenId) throws SQLException {
        return db.transaction(c -> AccountStore.revokeToken(c, tokenId, clock.getAsLong()));
    }
}
