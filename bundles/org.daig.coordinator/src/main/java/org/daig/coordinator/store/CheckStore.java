package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.daig.coordinator.store.Records.ResultRow;

/**
 * The SQL of checks: a result's check state (PENDING while the coordinator replays it, REPLICA
 * while it waits for a second volunteer, then PASSED, or UNCHECKED when the replay could not run),
 * a replicated task's second result, and the taking back of a result that failed.
 */
public final class CheckStore {

    public static final String PENDING = "PENDING";
    public static final String PASSED = "PASSED";
    public static final String UNCHECKED = "UNCHECKED";
    /** A replicated task's first result, waiting for a second volunteer's. */
    public static final String REPLICA = "REPLICA";
    /** A replicated task's second result, waiting for the comparison. */
    public static final String COMPARE = "COMPARE";
    /** A replicated task's second result that disagreed with the coordinator's replay (its credit is gone). */
    public static final String FAILED = "FAILED";

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

    /** The shards of a round whose results are in check {@code state} (PENDING: waiting for their replay; REPLICA: for a second volunteer). */
    public static List<Integer> inState(Connection c, String project, int round, String state) throws SQLException {
        return ints(c, "SELECT shard FROM results WHERE project_id = ? AND round = ? AND check_state = ?", project, round, state);
    }

    /** The rounds (asynchronous: tasks) of a project with a result in this check state. */
    public static List<Integer> roundsInState(Connection c, String project, String state) throws SQLException {
        return ints(c, "SELECT DISTINCT round FROM results WHERE project_id = ? AND check_state = ? ORDER BY round", project, state);
    }

    /** The first column of a query's rows, as integers. */
    private static List<Integer> ints(Connection c, String sql, Object... args) throws SQLException {
        List<Integer> values = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    values.add(r.getInt(1));
                }
            }
        }
        return values;
    }

    /** A replicated task's second result (state COMPARE), with its credit. */
    public static void insertReplica(Connection c, ResultRow r, double credit) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO replicas (project_id, round, shard, provider_id, lease_id, delta_blob, "
                + "samples, norm, accepted_at, check_state, threads, runtime) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
            task(st, 1, r.projectId(), r.round(), r.shard(), r.providerId());
            st.setString(5, r.leaseId());
            st.setString(6, r.deltaBlob());
            st.setLong(7, r.samples());
            st.setDouble(8, r.norm());
            st.setLong(9, r.acceptedAt());
            st.setString(10, COMPARE);
            st.setInt(11, r.threads());
            st.setString(12, r.runtime());
            st.executeUpdate();
        }
        ProjectStore.insertCredit(c, r, credit);
    }

    /** The comparison's outcome for a second result: PASSED, or FAILED with its credit taken back. */
    public static void replicaChecked(Connection c, ResultRow r, boolean passed) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE replicas SET check_state = ?" + TASK)) {
            st.setString(1, passed ? PASSED : FAILED);
            task(st, 2, r.projectId(), r.round(), r.shard(), r.providerId());
            st.executeUpdate();
        }
        if (!passed) {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM credits" + TASK)) {
                task(st, 1, r.projectId(), r.round(), r.shard(), r.providerId());
                st.executeUpdate();
            }
        }
    }

    /** Second results of a round still waiting for their comparison. */
    public static List<ResultRow> replicasToCompare(Connection c, String project, int round) throws SQLException {
        List<ResultRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT shard, provider_id, lease_id, delta_blob, samples, norm, accepted_at, "
                + "threads, runtime FROM replicas WHERE project_id = ? AND round = ? AND check_state = ?")) {
            st.setString(1, project);
            st.setInt(2, round);
            st.setString(3, COMPARE);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    rows.add(new ResultRow(project, round, r.getInt(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5),
                            Double.NaN, Double.NaN, Double.NaN, r.getDouble(6), 0, r.getLong(7), r.getInt(8), r.getString(9)));
                }
            }
        }
        return rows;
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
