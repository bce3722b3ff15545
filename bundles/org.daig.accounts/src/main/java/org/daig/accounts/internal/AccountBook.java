package org.daig.accounts.internal;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.daig.accounts.AccountAdmin;
import org.daig.accounts.AccountException;
import org.daig.accounts.AccountException.Reason;
import org.daig.accounts.internal.AccountStore.TokenRow;
import org.daig.accounts.internal.AccountStore.UserRow;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts: users and their passwords, sessions, sign-up, and (through {@link DeviceDesk})
 * devices. Plain Java over an {@link AccountDatabase}, so tests run it with a fake clock; the DS
 * component {@link AccountService} adds the OSGi side. Password hashing (about half a second) runs
 * outside the database lock.
 */
public class AccountBook implements AccountAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(AccountBook.class);
    /** One message for an unknown user, a wrong password and a disabled account: nobody learns which. */
    static final String LOGIN_REFUSED = "wrong user name or password";
    private static final String SIGNUP_SETTING = "signup";
    private static final long LAST_SEEN_EVERY_MS = 60_000;

    protected final AccountDatabase db;
    protected final TokenBook tokens;
    protected final Passwords passwords;
    protected final Secrets secrets;
    protected final LongSupplier clock;
    private final DeviceDesk devices;
    private final Map<String, Long> lastSeenWritten = new ConcurrentHashMap<>();
    /** Devices seen since the last {@link #writeSeen}, and when. */
    private final Map<String, Long> seenUnwritten = new ConcurrentHashMap<>();
    private volatile Settings settings;
    private volatile RateLimiter loginFailures;
    private volatile RateLimiter signUps;
    private volatile boolean signUpOpen;

    protected AccountBook(AccountDatabase db, Settings settings, Passwords passwords, SecureRandom random, LongSupplier clock)
            throws SQLException {
        this.db = db;
        this.passwords = passwords;
        this.secrets = new Secrets(random);
        this.clock = clock;
        this.tokens = new TokenBook(db, random, clock);
        this.devices = new DeviceDesk(db, tokens, secrets, clock, this::settings, this::coordinatorId, this::isCoordinatorClient);
        configure(settings);
        signUpOpen = db.transaction(c -> AccountStore.setting(c, SIGNUP_SETTING)).map("open"::equals).orElse(false);
    }

    /** Applies new settings; changed limits start with empty counters. */
    public final void configure(Settings next) {
        Settings previous = settings;
        settings = next;
        if (previous == null || previous.maxLoginFailures() != next.maxLoginFailures()
                || previous.failureWindowMillis() != next.failureWindowMillis()) {
            loginFailures = new RateLimiter(next.maxLoginFailures(), next.failureWindowMillis(), clock, 100_000);
        }
        if (previous == null || previous.signUpsPerHour() != next.signUpsPerHour()) {
            signUps = new RateLimiter(next.signUpsPerHour(), 3_600_000L, clock, 100_000);
        }
    }

    final Settings settings() {
        return settings;
    }

    /** The client ids of this process's coordinator-role MQTT connections (see {@link AccountService}); none here. */
    protected Set<String> busClientIds() {
        return Set.of();
    }

    /**
     * Whether the service token is valid for an MQTT client id: {@code coordinator}, {@code
     * coordinator-*}, the configured {@code coordinatorClientId}, or the id of one of this
     * process's own coordinator connections. No device may be enrolled under any of these.
     */
    final boolean isCoordinatorClient(String clientId) {
        return Names.isCoordinator(clientId, settings.coordinatorClientId()) || clientId != null && busClientIds().contains(clientId);
    }

    /** The coordinator's MQTT client id for providers to trust: its connection's, else the configured one; null when unknown. */
    final String coordinatorId() {
        List<String> ids = new ArrayList<>(new TreeSet<>(busClientIds()));
        if (!ids.isEmpty()) {
            return ids.get(0);
        }
        return settings.coordinatorClientId().isBlank() ? null : settings.coordinatorClientId();
    }

    /** The MQTT users the service token's Mosquitto lines are for: the configured id and the connections' ids, else 'coordinator'. */
    final List<String> serviceClientIds() {
        Set<String> ids = new LinkedHashSet<>();
        if (!settings.coordinatorClientId().isBlank()) {
            ids.add(settings.coordinatorClientId());
        }
        ids.addAll(new TreeSet<>(busClientIds()));
        return ids.isEmpty() ? List.of("coordinator") : List.copyOf(ids);
    }

    // ---- checking tokens ----------------------------------------------------------------------

    @Override
    public Optional<Identity> verify(String token) {
        Optional<Identity> identity = tokens.verify(token);
        identity.filter(i -> i.scope() == Scope.DEVICE).ifPresent(i -> seen(i.device()));
        return identity;
    }

    @Override
    public Optional<Identity> verifyClient(String username, String password) {
        if (username == null) {
            return Optional.empty();
        }
        return verify(password).filter(i -> switch (i.scope()) {
        case DEVICE -> username.equals(i.device());
        case SERVICE -> isCoordinatorClient(username);
        case API -> false;
        });
    }

    @Override
    public Optional<String> deviceAccount(String device) {
        if (device == null || device.isBlank()) {
            return Optional.empty();
        }
        try {
            return db.transaction(c -> AccountStore.device(c, device)).map(AccountStore.DeviceRow::user);
        } catch (SQLException e) {
            LOG.warn("Looking up the account of device {} failed: {}", device, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Notes when a device was last seen, at most once a minute per device (not a write per request),
     * and not at once: {@link #writeSeen} stores what was noted in one transaction. Ten thousand
     * providers made a commit each a minute, more work for the token checks' database than the checks.
     */
    private void seen(String device) {
        long now = clock.getAsLong();
        Long last = lastSeenWritten.get(device);
        if (last != null && now - last < LAST_SEEN_EVERY_MS) {
            return;
        }
        lastSeenWritten.put(device, now);
        seenUnwritten.put(device, now);
    }

    /** Stores the devices seen since the last call (the DS component calls it every few seconds, and before it stops). */
    public void writeSeen() {
        if (seenUnwritten.isEmpty()) {
            return;
        }
        Map<String, Long> batch = new java.util.HashMap<>();
        for (String device : List.copyOf(seenUnwritten.keySet())) {
            Long at = seenUnwritten.remove(device);
            if (at != null) {
                batch.put(device, at);
            }
        }
        try {
            db.transaction(c -> {
                for (Map.Entry<String, Long> e : batch.entrySet()) {
                    AccountStore.setLastSeen(c, e.getKey(), e.getValue());
                }
                return null;
            });
        } catch (SQLException e) {
            LOG.warn("Recording when {} devices were last seen failed: {}", batch.size(), e.getMessage());
        }
    }

    // ---- sessions -----------------------------------------------------------------------------

    @Override
    public Session login(String user, String password, String remoteAddress) throws AccountException {
        String userKey = "user:" + (Names.isUser(user) ? user : "?");
        String addressKey = "address:" + remoteAddress;
        long wait = Math.max(Names.isUser(user) ? loginFailures.retryAfterMillis(userKey) : 0, loginFailures.retryAfterMillis(addressKey));
        if (wait > 0) {
            throw rateLimited(wait, "too many failed logins: try again later");
        }
        Optional<UserRow> row = Names.isUser(user) ? tx(c -> AccountStore.user(c, user)) : Optional.empty();
        // every path runs one PBKDF2: timing does not tell whether the user exists or is disabled
        boolean matches = row.isPresent() ? passwords.matches(password == null ? "" : password, row.get().password()) : burn(password);
        boolean ok = matches && password != null && !row.get().disabled();
        if (!ok) {
            if (Names.isUser(user)) {
                loginFailures.record(userKey);
            }
            loginFailures.record(addressKey);
            LOG.info("Login refused for user '{}' from {}", Log.safe(user), Log.safe(remoteAddress));
            throw new AccountException(Reason.UNAUTHORIZED, LOGIN_REFUSED);
        }
        loginFailures.clear(userKey);
        UserRow u = row.get();
        Passwords.Hash rehashed = passwords.outdated(u.password()) ? passwords.hash(password) : null;
        long now = clock.getAsLong();
        TokenBook.Issued issued = tx(c -> {
            if (rehashed != null) {
                AccountStore.setPassword(c, u.name(), rehashed);
            }
            AccountStore.setLastLogin(c, u.name(), now);
            return tokens.issue(c, u.name(), Scope.API, null, expiry(now, settings.apiTokenMillis()));
        });
        LOG.info("User '{}' logged in from {} (token {})", u.name(), Log.safe(remoteAddress), issued.tokenId());
        return new Session(issued.token(), issued.tokenId(), u.name(), u.roles(), issued.expiresAt());
    }

    private boolean burn(String password) {
        passwords.burn(password);
        return false;
    }

    @Override
    public boolean logout(Identity caller) {
        try {
            return tokens.revoke(caller.tokenId());
        } catch (SQLException e) {
            LOG.error("Revoking token {} failed: {}", caller.tokenId(), e.getMessage());
            return false;
        }
    }

    @Override
    public boolean signUpOpen() {
        return signUpOpen;
    }

    @Override
    public void setSignUpOpen(boolean open) {
        tx(c -> {
            AccountStore.putSetting(c, SIGNUP_SETTING, open ? "open" : "closed");
            return null;
        });
        signUpOpen = open;
        LOG.info("Sign-up is now {}", open ? "open" : "closed");
    }

    @Override
    public Session signUp(String user, String password, String remoteAddress) throws AccountException {
        if (!signUpOpen) {
            throw new AccountException(Reason.FORBIDDEN, "sign-up is closed: ask the grid's admin for an account or an enrolment code");
        }
        String addressKey = "address:" + remoteAddress;
        long wait = signUps.retryAfterMillis(addressKey);
        if (wait > 0) {
            throw rateLimited(wait, "too many sign-ups from this address: try again later");
        }
        Names.user(user);
        Names.password(password);
        signUps.record(addressKey); // every well-formed try counts, taken names too: probing for names costs the same
        Passwords.Hash hash = passwords.hash(password);
        long now = clock.getAsLong();
        TokenBook.Issued issued = tx(c -> {
            if (AccountStore.user(c, user).isPresent()) {
                return null;
            }
            AccountStore.insertUser(c, new UserRow(user, Set.of(Role.VOLUNTEER), hash, false, now, now));
            return tokens.issue(c, user, Scope.API, null, expiry(now, settings.apiTokenMillis()));
        });
        if (issued == null) {
            throw new AccountException(Reason.CONFLICT, "user: the name '" + user + "' is taken");
        }
        LOG.info("User '{}' signed up from {}", user, Log.safe(remoteAddress));
        return new Session(issued.token(), issued.tokenId(), user, Set.of(Role.VOLUNTEER), issued.expiresAt());
    }

    // ---- devices ------------------------------------------------------------------------------

    @Override
    public DeviceToken enrolDevice(Identity caller, String deviceId, String name) throws AccountException {
        if (caller == null || caller.scope() != Scope.API || !caller.has(Role.VOLUNTEER)) {
            throw new AccountException(Reason.FORBIDDEN, "enrolling a device needs a volunteer's login (or an enrolment code)");
        }
        return devices.enrol(caller.user(), deviceId, name);
    }

    @Override
    public DeviceToken enrolDeviceWithCode(String code, String deviceId, String name, String remoteAddress) throws AccountException {
        String addressKey = "address:" + remoteAddress;
        long wait = loginFailures.retryAfterMillis(addressKey);
        if (wait > 0) {
            throw rateLimited(wait, "too many failed tries: try again later");
        }
        try {
            return devices.enrolWithCode(code, deviceId, name);
        } catch (AccountException e) {
            if (e.reason() == Reason.UNAUTHORIZED) {
                loginFailures.record(addressKey);
            }
            throw e;
        }
    }

    @Override
    public List<DeviceView> devices(Identity caller) {
        writeSeen(); // the list shows when each was last seen
        try {
            return devices.list(caller.isAdmin() ? null : caller.user());
        } catch (SQLException e) {
            throw new IllegalStateException("reading devices failed: " + e.getMessage(), e);
        }
    }

    @Override
    public EnrolmentCode createEnrolmentCode(String user, int uses, int validHours) throws AccountException {
        return devices.createCode(user, uses, validHours);
    }

    // ---- administration -----------------------------------------------------------------------

    @Override
    public List<UserView> users() {
        try {
            return db.transaction(AccountStore::users).stream()
                    .map(u -> new UserView(u.name(), u.roles(), u.disabled(), u.createdAt(), u.lastLoginAt())).toList();
        } catch (SQLException e) {
            throw new IllegalStateException("reading users failed: " + e.getMessage(), e);
        }
    }

    @Override
    public UserView createUser(String user, String password, Set<Role> roles) throws AccountException {
        Names.user(user);
        Names.password(password);
        if (roles == null || roles.isEmpty()) {
            throw new AccountException(Reason.INVALID, "roles: at least one of requestor, volunteer, admin");
        }
        Passwords.Hash hash = passwords.hash(password);
        long now = clock.getAsLong();
        UserRow row = new UserRow(user, Set.copyOf(roles), hash, false, now, null);
        boolean created = tx(c -> {
            if (AccountStore.user(c, user).isPresent()) {
                return false;
            }
            AccountStore.insertUser(c, row);
            return true;
        });
        if (!created) {
            throw new AccountException(Reason.CONFLICT, "user: '" + user + "' exists");
        }
        LOG.info("User '{}' created with roles {}", user, AccountStore.encodeRoles(row.roles()));
        return new UserView(user, row.roles(), false, now, null);
    }

    @Override
    public void setDisabled(String user, boolean disabled) throws AccountException {
        long now = clock.getAsLong();
        int revoked = tx(c -> {
            if (!AccountStore.setDisabled(c, user, disabled)) {
                return -1;
            }
            return disabled ? AccountStore.revokeUserTokens(c, user, now) : 0;
        });
        tokens.forgetChecks();
        requireFound(revoked >= 0, user);
        LOG.info("User '{}' {}{}", user, disabled ? "disabled" : "enabled", disabled ? ", " + revoked + " token(s) revoked" : "");
    }

    @Override
    public void setPassword(String user, String password) throws AccountException {
        Names.password(password);
        Passwords.Hash hash = passwords.hash(password);
        long now = clock.getAsLong();
        int revoked = tx(c -> AccountStore.setPassword(c, user, hash) ? AccountStore.revokeUserTokens(c, user, now) : -1);
        tokens.forgetChecks();
        requireFound(revoked >= 0, user);
        LOG.info("Password of user '{}' set; {} token(s) revoked", user, revoked);
    }

    @Override
    public UserView setRoles(String user, Set<Role> roles) throws AccountException {
        if (roles == null || roles.isEmpty()) {
            throw new AccountException(Reason.INVALID, "roles: at least one of requestor, volunteer, admin");
        }
        Set<Role> wanted = Set.copyOf(roles);
        // null: no such user; empty: it would leave no enabled admin
        Optional<UserRow> changed = tx(c -> {
            Optional<UserRow> row = AccountStore.user(c, user);
            if (row.isEmpty()) {
                return null;
            }
            boolean othersAdmin = AccountStore.users(c).stream()
                    .anyMatch(u -> !u.name().equals(user) && !u.disabled() && u.roles().contains(Role.ADMIN));
            if (!wanted.contains(Role.ADMIN) && !othersAdmin && !row.get().disabled() && row.get().roles().contains(Role.ADMIN)) {
                return Optional.empty();
            }
            AccountStore.setRoles(c, user, wanted);
            return row;
        });
        requireFound(changed != null, user);
        if (changed.isEmpty()) {
            throw new AccountException(Reason.CONFLICT, "roles: '" + user + "' is the last enabled admin; make another admin first");
        }
        tokens.forgetChecks();
        LOG.info("Roles of user '{}' set to {}", user, AccountStore.encodeRoles(wanted));
        UserRow u = changed.get();
        return new UserView(user, wanted, u.disabled(), u.createdAt(), u.lastLoginAt());
    }

    @Override
    public int revokeTokens(String user) throws AccountException {
        long now = clock.getAsLong();
        int revoked = tx(c -> AccountStore.user(c, user).isPresent() ? AccountStore.revokeUserTokens(c, user, now) : -1);
        tokens.forgetChecks();
        requireFound(revoked >= 0, user);
        LOG.info("{} token(s) of user '{}' revoked", revoked, user);
        return revoked;
    }

    @Override
    public BrokerFiles brokerFiles() {
        List<TokenRow> live = tx(c -> AccountStore.liveTokens(c, clock.getAsLong(), Scope.DEVICE, Scope.SERVICE));
        return MosquittoFiles.of(live, serviceClientIds(), settings.topicRoot());
    }

    // ---- helpers ------------------------------------------------------------------------------

    static long expiry(long now, long ttl) {
        return ttl > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttl;
    }

    private static void requireFound(boolean found, String user) throws AccountException {
        if (!found) {
            throw new AccountException(Reason.NOT_FOUND, "no user '" + Log.safe(user) + "'");
        }
    }

    private static AccountException rateLimited(long waitMillis, String message) {
        return new AccountException(Reason.RATE_LIMITED, message, Math.max(1, (waitMillis + 999) / 1000));
    }

    /** A transaction whose database failure is unchecked (the caller's request then fails with 500). */
    protected final <T> T tx(AccountDatabase.Work<T> work) {
        try {
            return db.transaction(work);
        } catch (SQLException e) {
            throw new IllegalStateException("the account database failed: " + e.getMessage(), e);
        }
    }
}
