package org.daig.accounts.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account store's JDBC connection, its versioned schema and its transactions (the same shape
 * as the coordinator's project database, in a database of its own so that accounts can be backed
 * up, moved or reset apart from projects). One connection under this object's lock: account
 * operations are small and few.
 */
public final class AccountDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccountDatabase.class);

    /** Migration i (0-based) brings the schema to version i + 1. Never edit one that was released. */
    static final List<String[]> MIGRATIONS = List.<String[]>of(new String[] {
            """
            CREATE TABLE users (
              name VARCHAR(64) PRIMARY KEY, roles VARCHAR(100) NOT NULL,
              pw_hash VARCHAR(100) NOT NULL, pw_salt VARCHAR(100) NOT NULL, pw_iterations INT NOT NULL,
              disabled BOOLEAN NOT NULL DEFAULT FALSE, created_at BIGINT NOT NULL, last_login_at BIGINT)""",
            """
            CREATE TABLE tokens (
              token_id VARCHAR(32) PRIMARY KEY, secret_sha256 CHAR(64) NOT NULL, user_name VARCHAR(64) NOT NULL,
              scope VARCHAR(16) NOT NULL, device VARCHAR(64), created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
              revoked_at BIGINT, mosquitto_hash VARCHAR(200))""",
            "CREATE INDEX tokens_by_user ON tokens (user_name)",
            "CREATE INDEX tokens_by_device ON tokens (device)",
            """
            CREATE TABLE enrolment_codes (
              code_id VARCHAR(32) PRIMARY KEY, secret_sha256 CHAR(64) NOT NULL, user_name VARCHAR(64) NOT NULL,
              uses_left INT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)""",
            """
            CREATE TABLE devices (
              device_id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(64) NOT NULL, name VARCHAR(200) NOT NULL,
              token_id VARCHAR(32) NOT NULL, enrolled_at BIGINT NOT NULL, last_seen_at BIGINT)""",
            "CREATE INDEX devices_by_user ON devices (user_name)",
            "CREATE TABLE settings (name VARCHAR(64) PRIMARY KEY, val VARCHAR(200) NOT NULL)" },
            // 2: how many changes that end token checks were committed (revocations, disabled accounts, new roles): each coordinator
            // on this database reads the count every second and forgets the checks it remembers when it moved (TokenBook)
            new String[] { "CREATE TABLE account_changes (id INT PRIMARY KEY, changes BIGINT NOT NULL)",
                "INSERT INTO account_changes (id, changes) VALUES (1, 0)" });

    /** Read-only connections for the token checks in front of every HTTP request, so that they wait for no write. */
    private static final int READERS = 4;

    private final DataSource source;
    private final Connection connection;
    private final String url;
    private final BlockingQueue<Connection> readers = new LinkedBlockingQueue<>();
    private final AtomicInteger readersOpened = new AtomicInteger();
    private volatile boolean closed;

    public AccountDatabase(DataSource source, String url) throws SQLException {
        this.url = url;
        this.source = source;
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
        if (current > MIGRATIONS.size()) {
            throw new SQLException("the account database at " + url + " has schema version " + current + ", newer than this coordinator ("
                    + MIGRATIONS.size() + "): run the newer coordinator, or restore a backup (or, on PostgreSQL, is this the projects' database?"
                    + " the accounts need a database of their own)");
        }
        for (int i = current; i < MIGRATIONS.size(); i++) {
            try (Statement s = connection.createStatement()) {
                for (String sql : MIGRATIONS.get(i)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO schema_version (version, applied_at) VALUES (" + (i + 1) + ", " + System.currentTimeMillis() + ")");
                connection.commit();
                LOG.info("Account database schema migrated to version {}", i + 1);
            } catch (SQLException e) {
                connection.rollback();
                throw new SQLException("migrating the account database schema to version " + (i + 1) + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** Work inside one transaction. */
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in a transaction: committed when it returns, rolled back if it throws. */
    public synchronized <T> T transaction(Work<T> work) throws SQLException {
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    /**
     * Runs read-only {@code work} on a connection of its own, outside this object's lock: it sees
     * what was committed. A burst of HTTP requests checks its tokens side by side this way.
     */
    public <T> T read(Work<T> work) throws SQLException {
        if (closed) {
            throw new SQLException("the account database " + url + " is closed");
        }
        Connection reader = readers.poll();
        if (reader == null && readersOpened.incrementAndGet() <= READERS) {
            reader = source.getConnection();
            reader.setAutoCommit(true);
            reader.setReadOnly(true);
        } else if (reader == null) {
            try {
                reader = readers.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for an account database connection", e);
            }
        }
        boolean healthy = false;
        try {
            T result = work.run(reader);
            healthy = true;
            return result;
        } finally {
            if (!closed && (healthy || reader.isValid(1))) {
                readers.add(reader);
            } else {
                readersOpened.decrementAndGet();
                closeQuietly(reader);
            }
        }
    }

    private void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("Closing a reader of the account database {}: {}", url, e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Connection reader; (reader = readers.poll()) != null;) {
            closeQuietly(reader);
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("Closing the account database {}: {}", url, e.getMessage());
        }
    }
}
