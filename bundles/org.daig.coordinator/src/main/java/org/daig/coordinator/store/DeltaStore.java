package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The SQL of accepted results' deltas as the copy check and requestors' reads look them up (and
 * of the lease a task's result came on, which a restart needs). No
 * index on the delta: its key (a SHA-256) would put every accepted result on a page of its own.
 * An unfinished project's deltas are found through the scheduler's memory, confirmed here by the
 * task's key; a finished project's are copied into {@code finished_deltas} once.
 */
public final class DeltaStore {

    private DeltaStore() {
    }

    /** Receives a stored result's task and delta. */
    @FunctionalInterface
    public interface DeltaSink {
        void accept(String delta, int round, int shard);
    }

    /** Every accepted result's delta of a project, with its task (read once at start; the key is the table's, so no index is needed). */
    public static void forEachDelta(Connection c, String projectId, DeltaSink sink) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT delta_blob, round, shard FROM results WHERE project_id = ?")) {
            st.setString(1, projectId);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    sink.accept(r.getString(1), r.getInt(2), r.getInt(3));
                }
            }
        }
    }

    /** The delta of a task's accepted result, or null when there is none. */
    public static String deltaOf(Connection c, String projectId, int round, int shard) throws SQLException {
        return ofResult(c, "delta_blob", projectId, round, shard);
    }

    /** The lease a task's accepted result came on, or null when the task has no result. */
    public static String leaseOf(Connection c, String projectId, int round, int shard) throws SQLException {
        return ofResult(c, "lease_id", projectId, round, shard);
    }

    /** A column of a task's accepted result ({@code column}: one of this class's names, never input), or null when there is none. */
    private static String ofResult(Connection c, String column, String projectId, int round, int shard) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + column + " FROM results WHERE project_id = ? AND round = ? AND shard = ?")) {
            st.setString(1, projectId);
            st.setInt(2, round);
            st.setInt(3, shard);
            try (ResultSet r = st.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    /**
     * A project became final: its results' deltas go into {@code finished_deltas}, where its requestor's
     * reads find them (an unfinished project's are in the scheduler's memory). Once per project, as one
     * sorted insert, instead of an index page written by every accepted result while it ran.
     */
    public static void keepFinishedDeltas(Connection c, String projectId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO finished_deltas (delta_blob, project_id) SELECT DISTINCT r.delta_blob, "
                + "r.project_id FROM results r WHERE r.project_id = ? AND NOT EXISTS (SELECT 1 FROM finished_deltas f "
                + "WHERE f.delta_blob = r.delta_blob AND f.project_id = r.project_id)")) {
            st.setString(1, projectId);
            st.executeUpdate();
        }
    }
}
