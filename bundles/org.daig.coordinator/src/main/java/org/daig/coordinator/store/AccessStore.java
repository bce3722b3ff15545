package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL of ownership (schema 2): which account owns a project, who uploaded a blob, and which
 * blobs belong to a requestor's projects. (What a provider's live leases open to it is the
 * scheduler's, in memory: {@code LeaseGrants}.) Like {@link ProjectStore}, methods take the
 * transaction's connection; plain SQL that H2 and PostgreSQL both speak.
 */
public final class AccessStore {

    private AccessStore() {
    }

    /** The account that owns a project; empty when there is no such project. */
    public static Optional<String> owner(Connection c, String projectId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT owner FROM projects WHERE id = ?")) {
            st.setString(1, projectId);
            try (ResultSet r = st.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    /** The ids of the projects an account owns. */
    public static Set<String> projectsOf(Connection c, String owner) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        try (PreparedStatement st = c.prepareStatement("SELECT id FROM projects WHERE owner = ? ORDER BY created_at, id")) {
            st.setString(1, owner);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
        }
        return ids;
    }

    /**
     * Records that the account {@code owner} uploaded blob {@code id} in full itself. Uploading it
     * again refreshes the row. (Providers' uploads are counted in memory: CoordinatorBlobAccess.)
     */
    public static void uploaded(Connection c, String id, String owner, long bytes, long at) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE blob_owners SET bytes = ?, uploaded_at = ? WHERE blob_id = ? AND owner = ? AND device = ''")) {
            st.setLong(1, bytes);
            st.setLong(2, at);
            st.setString(3, id);
            st.setString(4, owner);
            if (st.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO blob_owners (blob_id, owner, device, bytes, uploaded_at) VALUES (?, ?, '', ?, ?)")) {
            st.setString(1, id);
            st.setString(2, owner);
            st.setLong(3, bytes);
            st.setLong(4, at);
            st.executeUpdate();
        }
    }

    /** Whether the account uploaded blob {@code id} itself (not through one of its providers). */
    public static boolean uploadedBy(Connection c, String id, String owner) throws SQLException {
        return exists(c, "SELECT 1 FROM blob_owners WHERE blob_id = ? AND owner = ? AND device = ''", id, owner);
    }

    /** The bytes of the blobs an account uploaded itself, leaving out blob {@code except}: what its quota counts. */
    public static long uploadedBytes(Connection c, String owner, String except) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT COALESCE(SUM(bytes), 0) FROM blob_owners WHERE owner = ? AND device = '' AND blob_id <> ?")) {
            st.setString(1, owner);
            st.setString(2, except);
            try (ResultSet r = st.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * Whether blob {@code id} belongs to a project of {@code owner}: its model, data or validation
     * set, a shard, a version's parameters, or an accepted result's delta once the project is
     * finished (an unfinished project's deltas are in the scheduler's memory: {@link #unfinishedProjectsOf}).
     */
    public static boolean inProjectOf(Connection c, String id, String owner) throws SQLException {
        return exists(c, "SELECT 1 FROM projects p WHERE p.owner = ? AND (p.model_blob = ? OR p.canonical_blob = ? OR p.x_blob = ? "
                + "OR p.y_blob = ? OR p.val_x_blob = ? OR p.val_y_blob = ?) "
                + "UNION ALL SELECT 1 FROM shards s JOIN projects p ON p.id = s.project_id WHERE p.owner = ? AND (s.x_blob = ? OR s.y_blob = ?) "
                + "UNION ALL SELECT 1 FROM versions v JOIN projects p ON p.id = v.project_id WHERE p.owner = ? "
                + "AND (v.params_blob = ? OR v.sent_blob = ? OR v.diff_blob = ?) "
                + "UNION ALL SELECT 1 FROM finished_deltas d JOIN projects p ON p.id = d.project_id WHERE p.owner = ? AND d.delta_blob = ?",
                owner, id, id, id, id, id, id, owner, id, id, owner, id, id, id, owner, id);
    }

    /** The projects of {@code owner} that are not finished. */
    public static List<String> unfinishedProjectsOf(Connection c, String owner) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT id FROM projects WHERE owner = ? AND state NOT IN ('COMPLETED', 'CANCELLED', 'FAILED')")) {
            st.setString(1, owner);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
        }
        return ids;
    }

    private static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Long l) {
                    st.setLong(i + 1, l);
                } else {
                    st.setString(i + 1, (String) args[i]);
                }
            }
            st.setMaxRows(1);
            try (ResultSet r = st.executeQuery()) {
                return r.next();
            }
        }
    }
}
