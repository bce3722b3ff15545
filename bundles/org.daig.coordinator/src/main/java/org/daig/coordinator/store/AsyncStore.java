package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.daig.coordinator.store.Records.ResultRow;

/** What asynchronous strategies keep beyond results and versions: which accepted update made which version. */
public final class AsyncStore {

    private AsyncStore() {
    }

    /**
     * Asynchronous strategies: the task indexes of a project's accepted results, and those not
     * applied to a version yet in the order they were accepted (their updates wait in the queue).
     */
    public record AsyncProgress(Map<Integer, String> doneBy, List<ResultRow> unapplied) {
    }

    public static AsyncProgress asyncProgress(Connection c, String projectId) throws SQLException {
        Map<Integer, String> done = new HashMap<>();
        List<Integer> waiting = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT round, applied_version, provider_id FROM results WHERE project_id = ? "
                + "ORDER BY accepted_at, round")) {
            st.setString(1, projectId);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    done.put(r.getInt(1), r.getString(3));
                    if (r.getObject(2) == null) {
                        waiting.add(r.getInt(1));
                    }
                }
            }
        }
        List<ResultRow> unapplied = new ArrayList<>();
        for (int task : waiting) {
            unapplied.addAll(ProjectStore.results(c, projectId, task));
        }
        return new AsyncProgress(done, unapplied);
    }

    /** An asynchronous update's place in the history: the version its application made. */
    public static void markApplied(Connection c, ResultRow result, int version) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE results SET applied_version = ? WHERE project_id = ? AND round = ? "
                + "AND shard = ? AND provider_id = ?")) {
            st.setInt(1, version);
            st.setString(2, result.projectId());
            st.setInt(3, result.round());
            st.setInt(4, result.shard());
            st.setString(5, result.providerId());
            st.executeUpdate();
        }
    }
}
