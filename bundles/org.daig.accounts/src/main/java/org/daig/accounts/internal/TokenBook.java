package org.daig.accounts.internal;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
 * its Mosquitto {@code $7$} hash. A check reads the token and its account as committed, on a
 * read-only connection beside the writers' one (a burst of a thousand requests at a round's start
 * checks its tokens side by side), so a revocation or a disabled account counts from the next
 * request on.
 *
 * <p>A token that passed is trusted again without a query of its own: every HTTP request of a
 * provider is checked, and at ten thousand providers these queries were a fifth of the web
 * server's work (docs/measurements.md, "Scale"). What can make a passed check wrong is counted in
 * the database with the change itself ({@link AccountStore#changes}): a revocation, a disabled
 * account, new roles. Every revocation and every disabled account made through this process forgets
 * the remembered checks at once ({@link #forgetChecks}); the count, read at most every
 * {@link #CHANGES_POLL_MS}, makes one committed by another coordinator on a shared database count
 * within that time. A remembered check stands at most {@link #RECHECK_MS}, for edits made beside
 * the coordinator (by hand, in SQL) that do not move the count. If the count cannot be read, the
 * remembered checks are forgotten: a check then needs the database, and fails without it.
 */
public final class TokenBook {

    private static final Logger LOG = LoggerFactory.getLogger(TokenBook.class);

    /** A token just issued: the whole token (secret included) exists only in this object. */
    public record Issued(String token, String tokenId, long expiresAt) {
    }

    /** How often, at most, the count of changes is read while checks are answered from memory. */
    static final long CHANGES_POLL_MS = 1000;
    /** How long a passed check stands at most without a query of its own. */
    static final long RECHECK_MS = 5 * 60_000;
    /** More remembered checks than this: forget them all (a bound, not a cache policy). */
    private static final int MOST_REMEMBERED = 100_000;

    /** A check that passed: the stored secret's SHA-256 it matched, and what it said. */
    private record Passed(String secretSha256, Identity identity, long at, long generation) {
    }

    private final Map<String, Passed> passed = new ConcurrentHashMap<>();
    /** Changes with every {@link #forgetChecks}: a check that read the database before it is not remembered after it. */
    private final AtomicLong generation = new AtomicLong();
    private final Object changesLock = new Object();
    /** When the count of changes was last read (the clock's time), and what it said; unread until the first check. */
    private volatile long changesReadAt;
    private volatile boolean changesRead;
    private long changesSeen;
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
        long now = clock.getAsLong();
        noticeChanges(now);
        long asOf = generation.get();
        Passed earlier = passed.get(parsed.get().id());
        if (earlier != null && earlier.generation() == asOf && now >= earlier.at() && now - earlier.at() < RECHECK_MS
                && now < earlier.identity().expiresAt()
                && Secrets.hashMatches(parsed.get().secret(), earlier.secretSha256())) {
            return Optional.of(earlier.identity());
        }
        try {
            Optional<Passed> checked = db.read(c -> check(c, parsed.get(), now, asOf));
            checked.ifPresent(p -> remember(parsed.get().id(), p));
            return checked.map(Passed::identity);
        } catch (SQLException | RuntimeException e) {
            LOG.error("Checking token {} failed: {}", parsed.get().id(), e.toString());
            return Optional.empty();
        }
    }

    /** Reads the count of changes if it is older than {@link #CHANGES_POLL_MS} (or the clock went back); a new count forgets every check. */
    private void noticeChanges(long now) {
        if (fresh(now)) {
            return;
        }
        synchronized (changesLock) {
            if (fresh(now)) {
                return; // another thread read it meanwhile
            }
            try {
                long count = db.read(AccountStore::changes);
                if (!changesRead || count != changesSeen) {
                    forgetChecks();
                    changesSeen = count;
                }
            } catch (SQLException | RuntimeException e) {
                // what changed cannot be told: each check asks the database itself, and the count is tried again in a second
                // (not by every request while the database is down, one after the other under this lock)
                forgetChecks();
                LOG.debug("Reading the count of account changes failed: {}", e.toString());
            }
            changesReadAt = now;
            changesRead = true;
        }
    }

    private boolean fresh(long now) {
        return changesRead && now >= changesReadAt && now - changesReadAt < CHANGES_POLL_MS;
    }

    private void remember(String tokenId, Passed check) {
        if (passed.size() >= MOST_REMEMBERED) {
            passed.clear();
        }
        if (check.generation() == generation.get()) {
            passed.put(tokenId, check);
        }
    }

    /** Called after a revocation or a disabled account is committed: every token is checked in the database again. */
    public void forgetChecks() {
        generation.incrementAndGet();
        passed.clear();
    }

    private Optional<Passed> check(Connection c, Secrets.Parsed parsed, long now, long asOf) throws SQLException {
        Optional<TokenRow> row = AccountStore.token(c, parsed.id());
        if (row.isEmpty() || !Secrets.hashMatches(parsed.secret(), row.get().secretSha256())) {
            return Optional.empty();
        }
        TokenRow t = row.get();
        if (t.revokedAt() != null || t.expiresAt() <= now) {
            return Optional.empty();
        }
        if (t.scope() == Scope.SERVICE) {
            return Optional.of(new Passed(t.secretSha256(), new Identity(t.user(), Set.<Role>of(), t.scope(), null, t.tokenId(),
                    t.expiresAt()), now, asOf));
        }
        Optional<UserRow> user = AccountStore.user(c, t.user());
        if (user.isEmpty() || user.get().disabled()) {
            return Optional.empty();
        }
        return Optional.of(new Passed(t.secretSha256(), new Identity(t.user(), user.get().roles(), t.scope(),
                t.scope() == Scope.DEVICE ? t.device() : null, t.tokenId(), t.expiresAt()), now, asOf));
    }

    public boolean revoke(String tokenId) throws SQLException {
        boolean revoked = db.transaction(c -> AccountStore.revokeToken(c, tokenId, clock.getAsLong()));
        forgetChecks();
        return revoked;
    }
}
