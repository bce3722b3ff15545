package org.daig.accounts.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.daig.accounts.AccountAdmin.DeviceToken;
import org.daig.accounts.AccountAdmin.DeviceView;
import org.daig.accounts.AccountAdmin.EnrolmentCode;
import org.daig.accounts.AccountException;
import org.daig.accounts.AccountException.Reason;
import org.daig.accounts.internal.AccountStore.CodeRow;
import org.daig.accounts.internal.AccountStore.DeviceRow;
import org.daig.accounts.internal.AccountStore.UserRow;
import org.daig.api.account.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider machines: enrolment (with a volunteer's session or an admin's enrolment code) gives a
 * device a long-lived token bound to its client id. A device id belongs to the account that first
 * enrolled it; re-enrolling it (same account) revokes its old token.
 */
final class DeviceDesk {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceDesk.class);
    static final String CODE_REFUSED = "the enrolment code is not valid (wrong, expired or used up)";
    static final int MAX_CODE_USES = 10_000;
    static final int MAX_CODE_HOURS = 24 * 366;

    private final AccountDatabase db;
    private final TokenBook tokens;
    private final Secrets secrets;
    private final LongSupplier clock;
    private final Supplier<Settings> settings;
    private final Supplier<String> coordinatorId;
    private final Predicate<String> coordinatorClient;

    DeviceDesk(AccountDatabase db, TokenBook tokens, Secrets secrets, LongSupplier clock, Supplier<Settings> settings,
            Supplier<String> coordinatorId, Predicate<String> coordinatorClient) {
        this.db = db;
        this.tokens = tokens;
        this.secrets = secrets;
        this.clock = clock;
        this.settings = settings;
        this.coordinatorId = coordinatorId;
        this.coordinatorClient = coordinatorClient;
    }

    DeviceToken enrol(String user, String deviceId, String name) throws AccountException {
        String id = deviceId(deviceId);
        String display = Names.deviceName(name, id);
        DeviceToken token = inTransaction(c -> issue(c, user, id, display));
        tokens.forgetChecks(); // a re-enrolment revoked the device's old token
        return token;
    }

    DeviceToken enrolWithCode(String code, String deviceId, String name) throws AccountException {
        String id = deviceId(deviceId);
        String display = Names.deviceName(name, id);
        Optional<Secrets.Parsed> parsed = Secrets.parse(code, Secrets.CODE_PREFIX);
        if (parsed.isEmpty()) {
            throw new AccountException(Reason.UNAUTHORIZED, CODE_REFUSED);
        }
        DeviceToken enrolled = inTransaction(c -> {
            Optional<CodeRow> row = AccountStore.code(c, parsed.get().id());
            if (row.isEmpty() || !Secrets.hashMatches(parsed.get().secret(), row.get().secretSha256())
                    || row.get().expiresAt() <= clock.getAsLong() || row.get().usesLeft() < 1) {
                throw new Refusal(new AccountException(Reason.UNAUTHORIZED, CODE_REFUSED));
            }
            Optional<UserRow> owner = AccountStore.user(c, row.get().user());
            if (owner.isEmpty() || owner.get().disabled()) {
                throw new Refusal(new AccountException(Reason.UNAUTHORIZED, CODE_REFUSED));
            }
            DeviceToken token = issue(c, owner.get().name(), id, display);
            if (!AccountStore.useCode(c, row.get().codeId())) {
                throw new Refusal(new AccountException(Reason.UNAUTHORIZED, CODE_REFUSED));
            }
            return token;
        });
        tokens.forgetChecks(); // a re-enrolment revoked the device's old token
        return enrolled;
    }

    private String deviceId(String deviceId) throws AccountException {
        String id = Names.deviceId(deviceId, settings.get().coordinatorClientId());
        if (coordinatorClient.test(id)) {
            throw new AccountException(Reason.INVALID, "deviceId: '" + id + "' is reserved for the coordinator");
        }
        return id;
    }

    private DeviceToken issue(Connection c, String user, String id, String display) throws SQLException {
        Optional<DeviceRow> existing = AccountStore.device(c, id);
        if (existing.isPresent() && !existing.get().user().equals(user)) {
            throw new Refusal(new AccountException(Reason.CONFLICT, "deviceId: '" + id + "' is enrolled by another account: choose another id"));
        }
        long now = clock.getAsLong();
        if (existing.isPresent()) {
            AccountStore.revokeToken(c, existing.get().tokenId(), now); // re-enrolment: the old token stops working
        }
        TokenBook.Issued issued = tokens.issue(c, user, Scope.DEVICE, id, AccountBook.expiry(now, settings.get().deviceTokenMillis()));
        AccountStore.putDevice(c, new DeviceRow(id, user, display, issued.tokenId(), now, existing.map(DeviceRow::lastSeenAt).orElse(null)));
        LOG.info("Device '{}' enrolled for user '{}' (token {}){}", id, user, issued.tokenId(),
                existing.isPresent() ? ", its old token " + existing.get().tokenId() + " revoked" : "");
        return new DeviceToken(issued.token(), issued.tokenId(), user, id, coordinatorId.get(), issued.expiresAt());
    }

    List<DeviceView> list(String user) throws SQLException {
        return db.transaction(c -> AccountStore.devices(c, user)).stream()
                .map(d -> new DeviceView(d.device(), d.user(), d.name(), d.tokenId(), d.enrolledAt(), d.lastSeenAt())).toList();
    }

    EnrolmentCode createCode(String user, int uses, int validHours) throws AccountException {
        if (uses < 1 || uses > MAX_CODE_USES) {
            throw new AccountException(Reason.INVALID, "uses: 1-" + MAX_CODE_USES);
        }
        if (validHours < 1 || validHours > MAX_CODE_HOURS) {
            throw new AccountException(Reason.INVALID, "validHours: 1-" + MAX_CODE_HOURS);
        }
        String id = secrets.newId();
        String secret = secrets.newSecret(Secrets.CODE_SECRET_BYTES);
        long now = clock.getAsLong();
        long expiresAt = now + validHours * 3_600_000L;
        inTransaction(c -> {
            Optional<UserRow> owner = AccountStore.user(c, user == null ? "" : user);
            if (owner.isEmpty()) {
                throw new Refusal(new AccountException(Reason.INVALID, "user: no account named '" + Log.safe(user) + "'"));
            }
            AccountStore.insertCode(c, new CodeRow(id, Secrets.sha256Hex(secret), user, uses, now, expiresAt));
            return null;
        });
        LOG.info("Enrolment code {} for user '{}' created: {} use(s), valid {} h", id, user, uses, validHours);
        return new EnrolmentCode(Secrets.format(Secrets.CODE_PREFIX, id, secret), user, uses, expiresAt);
    }

    /** Carries a refusal out of a transaction (which it rolls back) to the caller. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refusal(AccountException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private <T> T inTransaction(AccountDatabase.Work<T> work) throws AccountException {
        try {
            return db.transaction(work);
        } catch (Refusal r) {
            throw (AccountException) r.getCause();
        } catch (SQLException e) {
            throw new IllegalStateException("the account database failed: " + e.getMessage(), e);
        }
    }
}
