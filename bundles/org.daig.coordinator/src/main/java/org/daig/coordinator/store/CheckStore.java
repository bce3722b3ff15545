package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL of spot checks: a result's check state (PENDING while the coordinator replays it, then
 * PASSED or UNCHECKED when the replay could not run) and the taking back of a result that failed.
 */
public final class CheckStore {

    public static final String PENDING = "PENDING";
    public static final String PASSED = "PASSED";
    public static final String UNCHECKED = "UNCHECKED";

    private static final String TASK = " WHERE project_id = ? AND round = ? AND shard = ? AND provider_id = ?";

    private CheckStore() {
    }

    /** Sets the check state of a provider's result for a task; false when there is no such result. */
    public static boolean state(Connection c, String project, int round, int shard, String provider, String state) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE results SET check_state = ?" + TASK)) {
            st.setString(1, state);
            task(st, 2, project, round, shard, provider);
            return st.executeUpdate() == 1;
        }
    }

    /** Takes a result and its credit back (the refusals audit keeps why); false when there was none. */
    public static boolean revoke(Connection c, String project, int round, int shard, String provider) throws SQLException {
        try (PreparedStatement credits = c.prepareStatement("DELETE FROM credits" + TASK);
             PreparedStatement results = c.prepareStatement("DELETE FROM results" + TASK)) {
            task(credits, 1, project, round, shard, provider);
            credits.executeUpdate();
            task(results, 1, project, round, shard, provider);
            return results.executeUpdate() == 1;
        }
    }

    /** The shards of a round whose results wait for their replay. */
    public static List<Integer> pending(Connection c, String project, int round) throws SQLException {
        List<Integer> shards = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT shard FROM results WHERE project_id = ? AND round = ? AND check_state = ?")) {
            st.setString(1, project);
            st.setInt(2, round);
            st.setString(3, PENDING);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    shards.add(r.getInt(1));
                }
            }
        }
        return shards;
    }

    /** Spot checks passed, by device. */
    public static Map<String, Long> passedByDevice(Connection c) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT provider_id, COUNT(*) FROM results WHERE check_state = ? GROUP BY provider_id")) {
            st.setString(1, PASSED);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    counts.put(r.getString(1), r.getLong(2));
                }
            }
        }
        return counts;
    }

    private static void task(PreparedStatement st, int from, String project, int round, int shard, String provider) throws SQLException {
        st.setString(from, project);
        st.setInt(from + 1, round);
        st.setInt(from + 2, shard);
        st.setString(from + 3, provider);
    }
}
