package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.coordinator.store.Records.CreditRow;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;

/**
 * The SQL of projects, shards, versions, leases, results and credits. Methods take the
 * transaction's connection, so a caller can commit several changes as one (a result with its
 * credit and its lease, a round's end with its new version). Plain SQL that H2 and PostgreSQL
 * both speak.
 */
public final class ProjectStore {

    /** The account that owns projects made before accounts existed (schema 2), and those made without a submitter. */
    public static final String DEFAULT_OWNER = "admin";

    private ProjectStore() {
    }

    /** A new project, owned by the account {@code owner} (see {@link AccessStore}). */
    public static void insertProject(Connection c, ProjectRow p, String owner) throws SQLException {
        ProjectSpec s = p.spec();
        try (PreparedStatement st = c.prepareStatement("INSERT INTO projects (id, name, state, message, model_blob, x_blob, y_blob, "
                + "epochs, batch_size, total_tasks, task_size, max_contributors, validation_rate, passes, strategy, seed, "
                + "round, total_rounds, created_at, owner, loss, optimizer, learning_rate, compression, max_staleness) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, p.id());
            st.setString(2, s.name());
            st.setString(3, p.state().name());
            st.setString(4, p.message());
            st.setString(5, s.model());
            st.setString(6, s.x());
            st.setString(7, s.y());
            st.setInt(8, s.epochs());
            st.setInt(9, s.batchSize());
            st.setInt(10, s.totalTasks());
            st.setInt(11, s.taskSize());
            st.setInt(12, s.maxContributors());
            st.setDouble(13, s.validationRate());
            st.setInt(14, s.passes());
            st.setString(15, s.strategy());
            st.setLong(16, s.seed());
            st.setInt(17, p.round());
            st.setInt(18, p.totalRounds());
            st.setLong(19, p.createdAt());
            st.setString(20, owner);
            st.setString(21, s.loss());
            st.setString(22, s.optimizer());
            st.setObject(23, s.learningRate(), java.sql.Types.DOUBLE);
            st.setString(24, s.compression());
            st.setObject(25, s.maxStaleness(), java.sql.Types.INTEGER);
            st.executeUpdate();
        }
    }

    /** Records the blob of a project's canonical model (what providers load instead of the requestor's file). */
    public static void saveCanonicalModel(Connection c, String projectId, String blob) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE projects SET canonical_blob = ? WHERE id = ?")) {
            st.setString(1, blob);
            st.setString(2, projectId);
            st.executeUpdate();
        }
    }

    /** Stores what preparation found and made: sizes, validation blobs, shards. */
    public static void savePreparation(Connection c, ProjectRow p, List<ShardRow> shards) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE projects SET param_count = ?, train_rows = ?, validation_rows = ?, "
                + "val_x_blob = ?, val_y_blob = ?, canonical_blob = ? WHERE id = ?")) {
            st.setLong(1, p.paramCount());
            st.setLong(2, p.trainRows());
            st.setLong(3, p.validationRows());
            st.setString(4, p.validationX());
            st.setString(5, p.validationY());
            st.setString(6, p.canonicalModel());
            st.setString(7, p.id());
            st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO shards (project_id, shard, x_blob, y_blob, rows_count) VALUES (?,?,?,?,?)")) {
            for (ShardRow s : shards) {
                st.setString(1, p.id());
                st.setInt(2, s.shard());
                st.setString(3, s.x());
                st.setString(4, s.y());
                st.setLong(5, s.rows());
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    public static void updateState(Connection c, String id, ProjectState state, String message) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE projects SET state = ?, message = ? WHERE id = ?")) {
            st.setString(1, state.name());
            st.setString(2, message);
            st.setString(3, id);
            st.executeUpdate();
        }
    }

    public static void updateRound(Connection c, String id, int round) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE projects SET round = ? WHERE id = ?")) {
            st.setInt(1, round);
            st.setString(2, id);
            st.executeUpdate();
        }
    }

    public static List<ProjectRow> projects(Connection c) throws SQLException {
        List<ProjectRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT id, name, state, message, model_blob, x_blob, y_blob, epochs, "
                + "batch_size, total_tasks, task_size, max_contributors, validation_rate, passes, strategy, seed, param_count, "
                + "train_rows, validation_rows, val_x_blob, val_y_blob, round, total_rounds, created_at, canonical_blob, loss, optimizer, "
                + "learning_rate, compression, max_staleness FROM projects "
                + "ORDER BY created_at, id");
             ResultSet r = st.executeQuery()) {
            while (r.next()) {
                ProjectSpec spec = new ProjectSpec(r.getString(2), r.getString(5), r.getString(6), r.getString(7), r.getInt(8),
                        r.getInt(9), r.getInt(10), r.getInt(11), r.getInt(12), r.getDouble(13), r.getInt(14), r.getString(15),
                        r.getLong(16), r.getString(26), r.getString(27), r.getObject(28) == null ? null : r.getDouble(28), r.getString(29),
                        r.getObject(30) == null ? null : r.getInt(30));
                rows.add(new ProjectRow(r.getString(1), spec, ProjectState.valueOf(r.getString(3)), r.getString(4), r.getLong(17),
                        r.getLong(18), r.getLong(19), r.getString(20), r.getString(21), r.getInt(22), r.getInt(23), r.getLong(24),
                        r.getString(25)));
            }
        }
        return rows;
    }

    public static List<ShardRow> shards(Connection c, String projectId) throws SQLException {
        List<ShardRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT shard, x_blob, y_blob, rows_count FROM shards WHERE project_id = ? ORDER BY shard")) {
            st.setString(1, projectId);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    rows.add(new ShardRow(r.getInt(1), r.getString(2), r.getString(3), r.getLong(4)));
                }
            }
        }
        return rows;
    }

    public static void insertVersion(Connection c, VersionRow v) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO versions (project_id, version, params_blob, created_at, samples, "
                + "train_loss, loss, accuracy, contributors, round_millis, sent_blob, diff_blob) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, v.projectId());
            st.setInt(2, v.version());
            st.setString(3, v.paramsBlob());
            st.setLong(4, v.createdAt());
            st.setLong(5, v.samples());
            setDouble(st, 6, v.trainLoss());
            setDouble(st, 7, v.loss());
            setDouble(st, 8, v.accuracy());
            st.setInt(9, v.contributors());
            st.setLong(10, v.roundMillis());
            st.setString(11, v.sentBlob().equals(v.paramsBlob()) ? null : v.sentBlob());
            st.setString(12, v.diffBlob());
            st.executeUpdate();
        }
    }

    public static void updateEvaluation(Connection c, String projectId, int version, double loss, double accuracy) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE versions SET loss = ?, accuracy = ? WHERE project_id = ? AND version = ?")) {
            setDouble(st, 1, loss);
            setDouble(st, 2, accuracy);
            st.setString(3, projectId);
            st.setInt(4, version);
            st.executeUpdate();
        }
    }

    public static List<VersionRow> versions(Connection c, String projectId) throws SQLException {
        List<VersionRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT version, params_blob, created_at, samples, train_loss, loss, accuracy, "
                + "contributors, round_millis, COALESCE(sent_blob, params_blob), diff_blob FROM versions WHERE project_id = ? ORDER BY version")) {
            st.setString(1, projectId);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    rows.add(new VersionRow(projectId, r.getInt(1), r.getString(2), r.getLong(3), r.getLong(4), getDouble(r, 5),
                            getDouble(r, 6), getDouble(r, 7), r.getInt(8), r.getLong(9), r.getString(10), r.getString(11)));
                }
            }
        }
        return rows;
    }

    public static void insertLease(Connection c, LeaseRow l) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO leases (id, project_id, round, shard, provider_id, issued_at, "
                + "deadline, state, base_version) VALUES (?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, l.id());
            st.setString(2, l.projectId());
            st.setInt(3, l.round());
            st.setInt(4, l.shard());
            st.setString(5, l.providerId());
            st.setLong(6, l.issuedAt());
            st.setLong(7, l.deadline());
            st.setString(8, l.state().name());
            st.setInt(9, l.baseVersion());
            st.executeUpdate();
        }
    }

    public static void endLease(Connection c, String leaseId, LeaseState state, long at) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE leases SET state = ?, ended_at = ? WHERE id = ? AND state = 'ACTIVE'")) {
            st.setString(1, state.name());
            st.setLong(2, at);
            st.setString(3, leaseId);
            st.executeUpdate();
        }
    }

    public static List<LeaseRow> activeLeases(Connection c) throws SQLException {
        List<LeaseRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT id, project_id, round, shard, provider_id, issued_at, deadline, "
                + "COALESCE(base_version, round) FROM leases WHERE state = 'ACTIVE' ORDER BY issued_at, id");
             ResultSet r = st.executeQuery()) {
            while (r.next()) {
                rows.add(new LeaseRow(r.getString(1), r.getString(2), r.getInt(3), r.getInt(4), r.getString(5), r.getLong(6), r.getLong(7),
                        LeaseState.ACTIVE, r.getInt(8)));
            }
        }
        return rows;
    }

    /** One lease, in whatever state, or empty when there is no such lease. */
    public static java.util.Optional<LeaseRow> lease(Connection c, String id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT id, project_id, round, shard, provider_id, issued_at, deadline, state, "
                + "COALESCE(base_version, round) FROM leases WHERE id = ?")) {
            st.setString(1, id);
            try (ResultSet r = st.executeQuery()) {
                return r.next() ? java.util.Optional.of(new LeaseRow(r.getString(1), r.getString(2), r.getInt(3), r.getInt(4),
                        r.getString(5), r.getLong(6), r.getLong(7), LeaseState.valueOf(r.getString(8)), r.getInt(9)))
                        : java.util.Optional.empty();
            }
        }
    }

    public static void insertResult(Connection c, ResultRow res, double credit) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO results (project_id, round, shard, provider_id, lease_id, delta_blob, "
                + "samples, loss, accuracy, seconds, norm, lease_millis, accepted_at, threads, runtime, base_version) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            st.setString(1, res.projectId());
            st.setInt(2, res.round());
            st.setInt(3, res.shard());
            st.setString(4, res.providerId());
            st.setString(5, res.leaseId());
            st.setString(6, res.deltaBlob());
            st.setLong(7, res.samples());
            setDouble(st, 8, res.loss());
            setDouble(st, 9, res.accuracy());
            setDouble(st, 10, res.seconds());
            st.setDouble(11, res.norm());
            st.setLong(12, res.leaseMillis());
            st.setLong(13, res.acceptedAt());
            st.setInt(14, res.threads());
            st.setString(15, res.runtime());
            st.setInt(16, res.baseVersion());
            st.executeUpdate();
        }
        insertCredit(c, res, credit);
    }

    /** The credit for a result's work, to the device that sent it. */
    public static void insertCredit(Connection c, ResultRow res, double credit) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO credits (project_id, round, shard, provider_id, amount, at) VALUES (?,?,?,?,?,?)")) {
            st.setString(1, res.projectId());
            st.setInt(2, res.round());
            st.setInt(3, res.shard());
            st.setString(4, res.providerId());
            st.setDouble(5, credit);
            st.setLong(6, res.acceptedAt());
            st.executeUpdate();
        }
    }

    /** Results of one round, in shard order (the order aggregation sums them in). */
    public static List<ResultRow> results(Connection c, String projectId, int round) throws SQLException {
        List<ResultRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT shard, provider_id, lease_id, delta_blob, samples, loss, accuracy, seconds, "
                + "norm, lease_millis, accepted_at, threads, runtime, COALESCE(base_version, round) FROM results WHERE project_id = ? "
                + "AND round = ? ORDER BY shard")) {
            st.setString(1, projectId);
            st.setInt(2, round);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    rows.add(new ResultRow(projectId, round, r.getInt(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5),
                            getDouble(r, 6), getDouble(r, 7), getDouble(r, 8), r.getDouble(9), r.getLong(10), r.getLong(11), r.getInt(12),
                            r.getString(13), r.getInt(14)));
                }
            }
        }
        return rows;
    }

    /** Every accepted result of a project, round by round in shard order (an audit trail). */
    public static List<ResultRow> allResults(Connection c, String projectId) throws SQLException {
        List<ResultRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT round, shard, provider_id, lease_id, delta_blob, samples, loss, accuracy, "
                + "seconds, norm, lease_millis, accepted_at FROM results WHERE project_id = ? ORDER BY round, shard")) {
            st.setString(1, projectId);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    rows.add(new ResultRow(projectId, r.getInt(1), r.getInt(2), r.getString(3), r.getString(4), r.getString(5), r.getLong(6),
                            getDouble(r, 7), getDouble(r, 8), getDouble(r, 9), r.getDouble(10), r.getLong(11), r.getLong(12)));
                }
            }
        }
        return rows;
    }

    /**
     * The newest accepted results of a project that count (not waiting for a check), for lease
     * deadlines and norm checks after a restart.
     */
    public static List<ResultRow> recentResults(Connection c, String projectId, int limit) throws SQLException {
        List<ResultRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT round, shard, provider_id, lease_id, delta_blob, samples, loss, accuracy, "
                + "seconds, norm, lease_millis, accepted_at FROM results WHERE project_id = ? AND (check_state IS NULL OR check_state IN "
                + "('PASSED', 'UNCHECKED')) ORDER BY accepted_at DESC, round DESC, shard DESC")) {
            st.setString(1, projectId);
            st.setMaxRows(limit);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    rows.add(new ResultRow(projectId, r.getInt(1), r.getInt(2), r.getString(3), r.getString(4), r.getString(5), r.getLong(6),
                            getDouble(r, 7), getDouble(r, 8), getDouble(r, 9), r.getDouble(10), r.getLong(11), r.getLong(12)));
                }
            }
        }
        return rows;
    }

    public static List<CreditRow> credits(Connection c) throws SQLException {
        List<CreditRow> rows = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT provider_id, COUNT(*), SUM(amount) FROM credits GROUP BY provider_id ORDER BY provider_id");
             ResultSet r = st.executeQuery()) {
            while (r.next()) {
                rows.add(new CreditRow(r.getString(1), r.getLong(2), r.getDouble(3)));
            }
        }
        return rows;
    }

    public static long resultCount(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM results"); ResultSet r = st.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    /** NaN is stored as NULL (PostgreSQL and H2 differ on NaN in DOUBLE PRECISION columns). */
    private static void setDouble(PreparedStatement st, int index, double value) throws SQLException {
        if (Double.isFinite(value)) {
            st.setDouble(index, value);
        } else {
            st.setNull(index, Types.DOUBLE);
        }
    }

    private static double getDouble(ResultSet r, int index) throws SQLException {
        double value = r.getDouble(index);
        return r.wasNull() ? Double.NaN : value;
    }
}
