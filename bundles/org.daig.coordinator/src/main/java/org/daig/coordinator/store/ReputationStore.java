package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The SQL of the refusals audit and of volunteers' standing (counted since an admin's last reset). */
public final class ReputationStore {

    /** One device's standing: results accepted, invalid ones since its last reset, and the newest refusal. */
    public record Standing(String providerId, long accepted, long invalid, String lastVerdict, String lastReason, Long lastAt) {
    }

    private static final String SINCE_RESET = "LEFT JOIN volunteer_resets v ON r.provider_id = v.provider_id WHERE (v.at IS NULL OR r.at > v.at)";

    private ReputationStore() {
    }

    public static void refused(Connection c, String provider, String project, int round, int shard, String verdict, String reason, long at)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO refusals (provider_id, project_id, round, shard, verdict, reason, at) VALUES (?,?,?,?,?,?,?)")) {
            st.setString(1, provider);
            st.setString(2, project);
            st.setInt(3, round);
            st.setInt(4, shard);
            st.setString(5, verdict);
            st.setString(6, reason.length() > 1000 ? reason.substring(0, 1000) : reason);
            st.setLong(7, at);
            st.executeUpdate();
        }
    }

    /** Invalid results since the last reset, by device. */
    public static Map<String, Long> invalidCounts(Connection c) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT r.provider_id, COUNT(*) FROM refusals r " + SINCE_RESET
                + " GROUP BY r.provider_id"); ResultSet r = st.executeQuery()) {
            while (r.next()) {
                counts.put(r.getString(1), r.getLong(2));
            }
        }
        return counts;
    }

    /** Failed spot checks since the last reset, by device. */
    public static Map<String, Long> failedChecks(Connection c) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT r.provider_id, COUNT(*) FROM refusals r " + SINCE_RESET
                + " AND r.verdict = 'SPOT_CHECK_FAILED' GROUP BY r.provider_id"); ResultSet r = st.executeQuery()) {
            while (r.next()) {
                counts.put(r.getString(1), r.getLong(2));
            }
        }
        return counts;
    }

    /** Devices an admin banned since their last reset, with the admin's reason. */
    public static Map<String, String> adminBans(Connection c, String verdict) throws SQLException {
        Map<String, String> bans = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT r.provider_id, r.reason FROM refusals r " + SINCE_RESET
                + " AND r.verdict = ? ORDER BY r.at"))  {
            st.setString(1, verdict);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    bans.put(r.getString(1), r.getString(2));
                }
            }
        }
        return bans;
    }

    /** One line of the refusals audit. */
    public record Refusal(String providerId, String projectId, int round, int shard, String verdict, String reason, long at) {
    }

    /** The newest {@code limit} refusals, newest first; {@code provider} and {@code verdict} filter when not null. */
    public static List<Refusal> refusals(Connection c, String provider, String verdict, int limit) throws SQLException {
        List<Refusal> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT provider_id, project_id, round, shard, verdict, reason, at FROM refusals"
                + " WHERE (? IS NULL OR provider_id = ?) AND (? IS NULL OR verdict = ?) ORDER BY at DESC")) {
            st.setString(1, provider);
            st.setString(2, provider);
            st.setString(3, verdict);
            st.setString(4, verdict);
            st.setMaxRows(limit);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    out.add(new Refusal(r.getString(1), r.getString(2), r.getInt(3), r.getInt(4), r.getString(5), r.getString(6), r.getLong(7)));
                }
            }
        }
        return out;
    }

    /** Every device that delivered or had a result refused, by id. */
    public static List<Standing> standings(Connection c) throws SQLException {
        Map<String, Long> accepted = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT provider_id, COUNT(*) FROM credits GROUP BY provider_id");
             ResultSet r = st.executeQuery()) {
            while (r.next()) {
                accepted.put(r.getString(1), r.getLong(2));
            }
        }
        Map<String, Long> invalid = invalidCounts(c);
        Map<String, String[]> last = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT provider_id, verdict, reason, at FROM refusals ORDER BY at");
             ResultSet r = st.executeQuery()) {
            while (r.next()) {
                last.put(r.getString(1), new String[] { r.getString(2), r.getString(3), Long.toString(r.getLong(4)) });
            }
        }
        Set<String> ids = new TreeSet<>(accepted.keySet());
        ids.addAll(last.keySet());
        List<Standing> out = new ArrayList<>();
        for (String id : ids) {
            String[] l = last.get(id);
            out.add(new Standing(id, accepted.getOrDefault(id, 0L), invalid.getOrDefault(id, 0L), l == null ? null : l[0],
                    l == null ? null : l[1], l == null ? null : Long.valueOf(l[2])));
        }
        return out;
    }

    /** Records (or moves) a volunteer's reset; an update, else an insert: the same SQL on H2 and PostgreSQL. */
    public static void reset(Connection c, String provider, long at) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE volunteer_resets SET at = ? WHERE provider_id = ?")) {
            st.setLong(1, at);
            st.setString(2, provider);
            if (st.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO volunteer_resets (provider_id, at) VALUES (?, ?)")) {
            st.setString(1, provider);
            st.setLong(2, at);
            st.executeUpdate();
        }
    }
}
