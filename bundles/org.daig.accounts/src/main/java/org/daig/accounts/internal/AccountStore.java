package org.daig.accounts.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.daig.api.account.Role;
import org.daig.api.account.Scope;

/** The account store's SQL, one small method per statement; callers hold the transaction. */
public final class AccountStore {

    public record UserRow(String name, Set<Role> roles, Passwords.Hash password, boolean disabled, long createdAt, Long lastLoginAt) {
    }

    public record TokenRow(String tokenId, String secretSha256, String user, Scope scope, String device, long createdAt,
            long expiresAt, Long revokedAt, String mosquittoHash) {
    }

    public record CodeRow(String codeId, String secretSha256, String user, int usesLeft, long createdAt, long expiresAt) {
    }

    public record DeviceRow(String device, String user, String name, String tokenId, long enrolledAt, Long lastSeenAt) {
    }

    private static final String USER_COLUMNS = "name, roles, pw_hash, pw_salt, pw_iterations, disabled, created_at, last_login_at";
    private static final String TOKEN_COLUMNS =
            "token_id, secret_sha256, user_name, scope, device, created_at, expires_at, revoked_at, mosquitto_hash";
    private static final String DEVICE_COLUMNS = "device_id, user_name, name, token_id, enrolled_at, last_seen_at";

    private AccountStore() {
    }

    // ---- users ------------------------------------------------------------------------------

    public static long countUsers(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM users"); ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    public static void insertUser(Connection c, UserRow u) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO users (" + USER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, u.name());
            s.setString(2, encodeRoles(u.roles()));
            s.setString(3, u.password().hash());
            s.setString(4, u.password().salt());
            s.setInt(5, u.password().iterations());
            s.setBoolean(6, u.disabled());
            s.setLong(7, u.createdAt());
            setLong(s, 8, u.lastLoginAt());
            s.executeUpdate();
        }
    }

    public static Optional<UserRow> user(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM users WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(userRow(r)) : Optional.empty();
            }
        }
    }

    public static List<UserRow> users(Connection c) throws SQLException {
        List<UserRow> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM users ORDER BY name"); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(userRow(r));
            }
        }
        return out;
    }

    public static boolean setPassword(Connection c, String name, Passwords.Hash hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE users SET pw_hash = ?, pw_salt = ?, pw_iterations = ? WHERE name = ?")) {
            s.setString(1, hash.hash());
            s.setString(2, hash.salt());
            s.setInt(3, hash.iterations());
            s.setString(4, name);
            return s.executeUpdate() == 1;
        }
    }

    public static boolean setRoles(Connection c, String name, Set<Role> roles) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE users SET roles = ? WHERE name = ?")) {
            s.setString(1, encodeRoles(roles));
            s.setString(2, name);
            return counted(c, s.executeUpdate()) == 1;
        }
    }

    public static boolean setDisabled(Connection c, String name, boolean disabled) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE users SET disabled = ? WHERE name = ?")) {
            s.setBoolean(1, disabled);
            s.setString(2, name);
            return counted(c, s.executeUpdate()) == 1;
        }
    }

    public static void setLastLogin(Connection c, String name, long at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE users SET last_login_at = ? WHERE name = ?")) {
            s.setLong(1, at);
            s.setString(2, name);
            s.executeUpdate();
        }
    }

    private static UserRow userRow(ResultSet r) throws SQLException {
        return new UserRow(r.getString(1), decodeRoles(r.getString(2)), new Passwords.Hash(r.getString(3), r.getString(4), r.getInt(5)),
                r.getBoolean(6), r.getLong(7), getLong(r, 8));
    }

    static String encodeRoles(Set<Role> roles) {
        return roles.stream().sorted().map(Role::id).collect(Collectors.joining(","));
    }

    static Set<Role> decodeRoles(String stored) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String id : stored.split(",")) {
            Role.parse(id).ifPresent(roles::add);
        }
        return roles;
    }

    // ---- tokens -----------------------------------------------------------------------------

    public static void insertToken(Connection c, TokenRow t) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO tokens (" + TOKEN_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, t.tokenId());
            s.setString(2, t.secretSha256());
            s.setString(3, t.user());
            s.setString(4, t.scope().id());
            s.setString(5, t.device());
            s.setLong(6, t.createdAt());
            s.setLong(7, t.expiresAt());
            setLong(s, 8, t.revokedAt());
            s.setString(9, t.mosquittoHash());
            s.executeUpdate();
        }
    }

    public static Optional<TokenRow> token(Connection c, String tokenId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + TOKEN_COLUMNS + " FROM tokens WHERE token_id = ?")) {
            s.setString(1, tokenId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(tokenRow(r)) : Optional.empty();
            }
        }
    }

    /** Tokens neither revoked nor expired at {@code now} whose scope is one of {@code scopes}. */
    public static List<TokenRow> liveTokens(Connection c, long now, Scope... scopes) throws SQLException {
        List<TokenRow> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT " + TOKEN_COLUMNS
                + " FROM tokens WHERE revoked_at IS NULL AND expires_at > ? ORDER BY created_at, token_id")) {
            s.setLong(1, now);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    TokenRow row = tokenRow(r);
                    if (List.of(scopes).contains(row.scope())) {
                        out.add(row);
                    }
                }
            }
        }
        return out;
    }

    public static boolean revokeToken(Connection c, String tokenId, long at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL")) {
            s.setLong(1, at);
            s.setString(2, tokenId);
            return counted(c, s.executeUpdate()) == 1;
        }
    }

    /** Revokes the user's live tokens; returns how many. */
    public static int revokeUserTokens(Connection c, String user, long at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE tokens SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL AND expires_at > ?")) {
            s.setLong(1, at);
            s.setString(2, user);
            s.setLong(3, at);
            return counted(c, s.executeUpdate());
        }
    }

    /** Revokes every live token of a scope (the service token, when it is replaced). */
    public static int revokeScope(Connection c, Scope scope, long at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE tokens SET revoked_at = ? WHERE scope = ? AND revoked_at IS NULL")) {
            s.setLong(1, at);
            s.setString(2, scope.id());
            return counted(c, s.executeUpdate());
        }
    }

    /**
     * Counts, in the caller's transaction, a change that can make a passed token check wrong (a
     * revocation, a disabled account, new roles) when it changed {@code rows} rows; returns them.
     * Every coordinator on this database forgets its remembered checks once it sees the count move
     * ({@link TokenBook}). So a change the store makes can never skip the count.
     */
    private static int counted(Connection c, int rows) throws SQLException {
        if (rows > 0) {
            try (PreparedStatement s = c.prepareStatement("UPDATE account_changes SET changes = changes + 1 WHERE id = 1")) {
                s.executeUpdate();
            }
        }
        return rows;
    }

    /** How many changes that end token checks were committed so far (see {@link #counted}). */
    public static long changes(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT changes FROM account_changes WHERE id = 1"); ResultSet r = s.executeQuery()) {
            if (!r.next()) {
                throw new SQLException("the account database has no row in account_changes: restore it from a backup");
            }
            return r.getLong(1);
        }
    }

    private static TokenRow tokenRow(ResultSet r) throws SQLException {
        return new TokenRow(r.getString(1), r.getString(2), r.getString(3), Scope.valueOf(r.getString(4).toUpperCase(Locale.ROOT)),
                r.getString(5), r.getLong(6), r.getLong(7), getLong(r, 8), r.getString(9));
    }

    // ---- enrolment codes --------------------------------------------------------------------

    public static void insertCode(Connection c, CodeRow code) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO enrolment_codes (code_id, secret_sha256, user_name, uses_left, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, code.codeId());
            s.setString(2, code.secretSha256());
            s.setString(3, code.user());
            s.setInt(4, code.usesLeft());
            s.setLong(5, code.createdAt());
            s.setLong(6, code.expiresAt());
            s.executeUpdate();
        }
    }

    public static Optional<CodeRow> code(Connection c, String codeId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT code_id, secret_sha256, user_name, uses_left, created_at, expires_at FROM enrolment_codes WHERE code_id = ?")) {
            s.setString(1, codeId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new CodeRow(r.getString(1), r.getString(2), r.getString(3), r.getInt(4), r.getLong(5),
                        r.getLong(6))) : Optional.empty();
            }
        }
    }

    /** Takes one use of a code; false when none is left. */
    public static boolean useCode(Connection c, String codeId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE enrolment_codes SET uses_left = uses_left - 1 WHERE code_id = ? AND uses_left > 0")) {
            s.setString(1, codeId);
            return s.executeUpdate() == 1;
        }
    }

    // ---- devices ----------------------------------------------------------------------------

    public static Optional<DeviceRow> device(Connection c, String device) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + DEVICE_COLUMNS + " FROM devices WHERE device_id = ?")) {
            s.setString(1, device);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(deviceRow(r)) : Optional.empty();
            }
        }
    }

    /** Every device ({@code user} null) or one user's, by id. */
    public static List<DeviceRow> devices(Connection c, String user) throws SQLException {
        List<DeviceRow> out = new ArrayList<>();
        String sql = "SELECT " + DEVICE_COLUMNS + " FROM devices" + (user == null ? "" : " WHERE user_name = ?") + " ORDER BY device_id";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (user != null) {
                s.setString(1, user);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(deviceRow(r));
                }
            }
        }
        return out;
    }

    /** Records a (re-)enrolled device with its new token (an update, else an insert: the same SQL on H2 and PostgreSQL). */
    public static void putDevice(Connection c, DeviceRow d) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE devices SET user_name = ?, name = ?, token_id = ?, enrolled_at = ?, last_seen_at = ?"
                + " WHERE device_id = ?")) {
            s.setString(1, d.user());
            s.setString(2, d.name());
            s.setString(3, d.tokenId());
            s.setLong(4, d.enrolledAt());
            setLong(s, 5, d.lastSeenAt());
            s.setString(6, d.device());
            if (s.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO devices (" + DEVICE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, d.device());
            s.setString(2, d.user());
            s.setString(3, d.name());
            s.setString(4, d.tokenId());
            s.setLong(5, d.enrolledAt());
            setLong(s, 6, d.lastSeenAt());
            s.executeUpdate();
        }
    }

    public static void setLastSeen(Connection c, String device, long at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE devices SET last_seen_at = ? WHERE device_id = ?")) {
            s.setLong(1, at);
            s.setString(2, device);
            s.executeUpdate();
        }
    }

    private static DeviceRow deviceRow(ResultSet r) throws SQLException {
        return new DeviceRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5), getLong(r, 6));
    }

    // ---- settings ---------------------------------------------------------------------------

    public static Optional<String> setting(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT val FROM settings WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    public static void putSetting(Connection c, String name, String value) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE settings SET val = ? WHERE name = ?")) {
            s.setString(1, value);
            s.setString(2, name);
            if (s.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO settings (name, val) VALUES (?, ?)")) {
            s.setString(1, name);
            s.setString(2, value);
            s.executeUpdate();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    private static Long getLong(ResultSet r, int index) throws SQLException {
        long value = r.getLong(index);
        return r.wasNull() ? null : value;
    }
}
