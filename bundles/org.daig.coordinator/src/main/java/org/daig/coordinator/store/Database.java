package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's JDBC connection, its schema and its transactions. One connection, used under
 * this object's lock: the scheduler serializes its decisions anyway, and an embedded H2 is fastest
 * without a pool. The task exchange commits its decisions in groups ({@link #group()}). The
 * schema is versioned; missing migrations run at start, each in its own transaction, so an old
 * database is brought up to date and a new one is created.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** Migration i (0-based) brings the schema to version i + 1. Never edit one that was released. */
    static final List<String[]> MIGRATIONS = List.<String[]>of(new String[] {
            """
            CREATE TABLE projects (
              id VARCHAR(64) PRIMARY KEY, name VARCHAR(200) NOT NULL, state VARCHAR(16) NOT NULL, message VARCHAR(2000),
              model_blob CHAR(64) NOT NULL, x_blob CHAR(64) NOT NULL, y_blob CHAR(64) NOT NULL,
              epochs INT NOT NULL, batch_size INT NOT NULL, total_tasks INT NOT NULL, task_size INT NOT NULL,
              max_contributors INT NOT NULL, validation_rate DOUBLE PRECISION NOT NULL, passes INT NOT NULL,
              strategy VARCHAR(32) NOT NULL, seed BIGINT NOT NULL,
              param_count BIGINT NOT NULL DEFAULT 0, train_rows BIGINT NOT NULL DEFAULT 0, validation_rows BIGINT NOT NULL DEFAULT 0,
              val_x_blob CHAR(64), val_y_blob CHAR(64), round INT NOT NULL DEFAULT 0, total_rounds INT NOT NULL,
              created_at BIGINT NOT NULL)""",
            """
            CREATE TABLE shards (
              project_id VARCHAR(64) NOT NULL, shard INT NOT NULL, x_blob CHAR(64) NOT NULL, y_blob CHAR(64) NOT NULL,
              rows_count BIGINT NOT NULL, PRIMARY KEY (project_id, shard))""",
            """
            CREATE TABLE versions (
              project_id VARCHAR(64) NOT NULL, version INT NOT NULL, params_blob CHAR(64) NOT NULL, created_at BIGINT NOT NULL,
              samples BIGINT NOT NULL, train_loss DOUBLE PRECISION, loss DOUBLE PRECISION, accuracy DOUBLE PRECISION,
              contributors INT NOT NULL, round_millis BIGINT NOT NULL, PRIMARY KEY (project_id, version))""",
            """
            CREATE TABLE leases (
              id VARCHAR(64) PRIMARY KEY, project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL,
              provider_id VARCHAR(64) NOT NULL, issued_at BIGINT NOT NULL, deadline BIGINT NOT NULL,
              state VARCHAR(16) NOT NULL, ended_at BIGINT)""",
            "CREATE INDEX leases_by_state ON leases (state, project_id)",
            """
            CREATE TABLE results (
              project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL,
              lease_id VARCHAR(64) NOT NULL, delta_blob CHAR(64) NOT NULL, samples BIGINT NOT NULL, loss DOUBLE PRECISION,
              accuracy DOUBLE PRECISION, seconds DOUBLE PRECISION, norm DOUBLE PRECISION NOT NULL, lease_millis BIGINT NOT NULL,
              accepted_at BIGINT NOT NULL, PRIMARY KEY (project_id, round, shard))""",
            """
            CREATE TABLE credits (
              project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL,
              amount DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (project_id, round, shard))""",
            "CREATE INDEX credits_by_provider ON credits (provider_id)" },
            // 2: who owns what (issue 12). Projects made before accounts existed belong to the admin; a blob's
            // owners are the accounts that uploaded it (device '' for a person, else the provider that sent it).
            new String[] {
                "ALTER TABLE projects ADD COLUMN owner VARCHAR(64) DEFAULT 'admin' NOT NULL",
                "CREATE INDEX projects_by_owner ON projects (owner)",
                """
                CREATE TABLE blob_owners (
                  blob_id CHAR(64) NOT NULL, owner VARCHAR(64) NOT NULL, device VARCHAR(64) DEFAULT '' NOT NULL,
                  bytes BIGINT NOT NULL, uploaded_at BIGINT NOT NULL, PRIMARY KEY (blob_id, owner, device))""",
                "CREATE INDEX blob_owners_by_owner ON blob_owners (owner)",
                "CREATE INDEX blob_owners_by_device ON blob_owners (device, uploaded_at)" },
            // 3: the canonical form of each project's model, which providers load instead of the requestor's .h5 (issue 12)
            new String[] { "ALTER TABLE projects ADD COLUMN canonical_blob CHAR(64)" },
            // 4: a strategy may name its robust rule, e.g. kbatch-sync/trimmed-mean:beta=0.2 (issue 13)
            new String[] { "ALTER TABLE projects ALTER COLUMN strategy SET DATA TYPE VARCHAR(200)",
                // where else a delta was accepted: a resend of one's own result, or a copy of someone's
                "CREATE INDEX results_by_delta ON results (project_id, delta_blob)",
                // the audit of refused results that count against a volunteer's device, and when an admin last forgave it
                """
                CREATE TABLE refusals (
                  provider_id VARCHAR(64) NOT NULL, project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL,
                  verdict VARCHAR(32) NOT NULL, reason VARCHAR(1000) NOT NULL, at BIGINT NOT NULL)""",
                "CREATE INDEX refusals_by_provider ON refusals (provider_id, at)",
                "CREATE TABLE volunteer_resets (provider_id VARCHAR(64) PRIMARY KEY, at BIGINT NOT NULL)" },
            // 5: a result the coordinator replays before its round may close is PENDING until the replay agrees (issue 13)
            new String[] { "ALTER TABLE results ADD COLUMN check_state VARCHAR(16)" },
            // 6: replication (issue 13): a replicated task's second result, and a credit for each of its two volunteers
            new String[] {
                """
                CREATE TABLE replicas (
                  project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL,
                  lease_id VARCHAR(64) NOT NULL, delta_blob CHAR(64) NOT NULL, samples BIGINT NOT NULL, norm DOUBLE PRECISION NOT NULL,
                  accepted_at BIGINT NOT NULL, check_state VARCHAR(16) NOT NULL, PRIMARY KEY (project_id, round, shard, provider_id))""",
                """
                CREATE TABLE credits_by_task_and_device (
                  project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL,
                  amount DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (project_id, round, shard, provider_id))""",
                "INSERT INTO credits_by_task_and_device SELECT project_id, round, shard, provider_id, amount, at FROM credits",
                "DROP TABLE credits",
                "ALTER TABLE credits_by_task_and_device RENAME TO credits",
                "CREATE INDEX credits_by_provider ON credits (provider_id)" },
            // 7: the loss, optimizer and learning rate a requestor names for a model saved without them (issue 14)
            new String[] { "ALTER TABLE projects ADD COLUMN loss VARCHAR(100)", "ALTER TABLE projects ADD COLUMN optimizer VARCHAR(100)",
                "ALTER TABLE projects ADD COLUMN learning_rate DOUBLE PRECISION" },
            // 8: how a volunteer's worker trained each result, so a replay with the same runtime and threads must match exactly (issue 13)
            new String[] { "ALTER TABLE results ADD COLUMN threads INT DEFAULT 0 NOT NULL", "ALTER TABLE results ADD COLUMN runtime VARCHAR(200)",
                "ALTER TABLE replicas ADD COLUMN threads INT DEFAULT 0 NOT NULL", "ALTER TABLE replicas ADD COLUMN runtime VARCHAR(200)" },
            // 9: how providers encode their updates, and the staleness bound of asynchronous strategies (issue 15)
            new String[] { "ALTER TABLE projects ADD COLUMN compression VARCHAR(40)", "ALTER TABLE projects ADD COLUMN max_staleness INT" },
            // 10: asynchronous strategies: the version each task starts from, and when a queued update was applied (issue 15)
            new String[] { "ALTER TABLE leases ADD COLUMN base_version INT", "UPDATE leases SET base_version = round",
                "ALTER TABLE results ADD COLUMN base_version INT", "UPDATE results SET base_version = round",
                "ALTER TABLE results ADD COLUMN applied_version INT" },
            // 11: compressed projects send parameters down as differences: what providers get, and its difference (issue 15)
            new String[] { "ALTER TABLE versions ADD COLUMN sent_blob CHAR(64)", "ALTER TABLE versions ADD COLUMN diff_blob CHAR(64)" },
            // 12: the blob plane asks for a provider's live leases on every download and upload (issue 16)
            new String[] { "CREATE INDEX leases_by_provider ON leases (provider_id, state)" });

    private final Connection connection;
    private final String url;
    /** The thread whose group commit is open, or null (guarded by this). */
    private Thread groupOwner;
    private final List<Runnable> afterGroup = new ArrayList<>();

    public Database(DataSource source, String url) throws SQLException {
        this.url = url;
        this.connection = source.getConnection();
        connection.setAutoCommit(false);
        migrate();
    }

    public String url() {
        return url;
    }

    /** The schema version after start-up migrations. */
    public synchronized int schemaVersion() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return r.next() ? r.getInt(1) : 0;
        }
    }

    private synchronized void migrate() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)");
            connection.commit();
        }
        int current = schemaVersion();
        for (int i = current; i < MIGRATIONS.size(); i++) {
            try (Statement s = connection.createStatement()) {
                for (String sql : MIGRATIONS.get(i)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO schema_version (version, applied_at) VALUES (" + (i + 1) + ", " + System.currentTimeMillis() + ")");
                connection.commit();
                LOG.info("Database schema migrated to version {}", i + 1);
            } catch (SQLException e) {
                connection.rollback();
                throw new SQLException("migrating the database schema to version " + (i + 1) + " failed: " + e.getMessage(), e);
            }
        }
        if (current > MIGRATIONS.size()) {
            throw new SQLException("the database at " + url + " has schema version " + current + ", newer than this coordinator ("
                    + MIGRATIONS.size() + "): run the newer coordinator, or restore a backup");
        }
    }

    /** Work inside one transaction. */
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in a transaction: committed when it returns, rolled back if it throws.
     * Nothing is acknowledged to anyone before this returns. Inside a {@link Group} opened by
     * this thread, the work is kept (or undone, if it throws) but committed with the group.
     */
    public synchronized <T> T transaction(Work<T> work) throws SQLException {
        boolean grouped = groupOwner != null;
        Savepoint savepoint = grouped ? connection.setSavepoint() : null;
        try {
            T result = work.run(connection);
            if (groupOwner == Thread.currentThread()) {
                connection.releaseSavepoint(savepoint);
            } else {
                connection.commit(); // another thread's open group is committed early with it: harmless, it answers nobody before its own commit
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            if (savepoint != null) {
                connection.rollback(savepoint);
            } else {
                connection.rollback();
            }
            throw e;
        }
    }

    /**
     * Opens a group commit for the calling thread: its transactions until {@link Group#commit()}
     * become one database commit, which is what lets one coordinator take thousands of leases and
     * results a second (one commit costs milliseconds; a decision, microseconds). The caller
     * answers none of the grouped decisions before the group is committed. One group at a time.
     */
    public synchronized Group group() {
        if (groupOwner != null) {
            throw new IllegalStateException("a group commit is already open on " + groupOwner.getName());
        }
        groupOwner = Thread.currentThread();
        return new Group();
    }

    /**
     * Runs {@code action} once what was done so far is committed: at once outside a group, after
     * the commit of the calling thread's open group otherwise (dropped if that group fails).
     */
    public void afterCommit(Runnable action) {
        synchronized (this) {
            if (groupOwner == Thread.currentThread()) {
                afterGroup.add(action);
                return;
            }
        }
        action.run();
    }

    /** An open group commit (see {@link Database#group()}). */
    public final class Group implements AutoCloseable {
        private boolean ended;

        /** Commits the group's transactions, then runs what waited for them. If it throws, they are rolled back. */
        public void commit() throws SQLException {
            List<Runnable> after;
            synchronized (Database.this) {
                end();
                try {
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    afterGroup.clear();
                    throw e;
                }
                after = List.copyOf(afterGroup);
                afterGroup.clear();
            }
            after.forEach(Runnable::run);
        }

        private void end() {
            if (ended) {
                throw new IllegalStateException("this group commit has ended");
            }
            ended = true;
            groupOwner = null;
        }

        /** Rolls back the group's transactions unless it was committed. */
        @Override
        public void close() throws SQLException {
            synchronized (Database.this) {
                if (!ended) {
                    end();
                    afterGroup.clear();
                    connection.rollback();
                }
            }
        }
    }

    public synchronized boolean isHealthy() {
        try {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("Closing the database {}: {}", url, e.getMessage());
        }
    }
}
