package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** Connections for reads that need not wait behind writes (the blob plane's access checks). */
    private static final int READERS = 4;

    private final DataSource source;
    private final Connection connection;
    private final String url;
    private final BlockingQueue<Connection> readers = new LinkedBlockingQueue<>();
    private final AtomicInteger readersOpened = new AtomicInteger();
    private volatile boolean closed;
    private final Queue<Together<?>> together = new ConcurrentLinkedQueue<>();
    /** The thread whose group commit is open, or null (guarded by this). */
    private Thread groupOwner;
    private final List<Runnable> afterGroup = new ArrayList<>();
    /** Work of the open group that failed without a savepoint ({@link #append}, {@link #query}): the group cannot commit (guarded by this). */
    private Exception groupFailure;

    public Database(DataSource source, String url) throws SQLException {
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
        for (int i = current; i < Migrations.ALL.size(); i++) {
            try (Statement s = connection.createStatement()) {
                for (String sql : Migrations.ALL.get(i)) {
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
        if (current > Migrations.ALL.size()) {
            throw new SQLException("the database at " + url + " has schema version " + current + ", newer than this coordinator ("
                    + Migrations.ALL.size() + "): run the newer coordinator, or restore a backup");
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
     * Runs read-only {@code work} on the writer's connection, so that it sees what this thread's open
     * group wrote. Inside the group it takes no savepoint (H2 parses a new statement for each: a tenth
     * of the task exchange's samples in a profile went to savepoints); if it throws, the group fails at
     * its commit, as PostgreSQL would have it anyway (a failed statement aborts its transaction).
     */
    public synchronized <T> T query(Work<T> work) throws SQLException {
        return groupOwner == Thread.currentThread() ? inGroup(work) : transaction(work);
    }

    /**
     * Like {@link #transaction}, for writes that fail only when the database does (a single insert
     * under a fresh random key, or rows whose absence the caller's memory has already checked): inside
     * this thread's open group they take no savepoint of their own, and if they throw, the whole group
     * fails at its commit, as a failed commit does.
     */
    public synchronized <T> T append(Work<T> work) throws SQLException {
        return groupOwner == Thread.currentThread() ? inGroup(work) : transaction(work);
    }

    /** Work in the open group without a savepoint: a failure is remembered, and the group's commit refuses. */
    private <T> T inGroup(Work<T> work) throws SQLException {
        try {
            return work.run(connection);
        } catch (SQLException | RuntimeException e) {
            groupFailure = e;
            throw e;
        }
    }

    /**
     * Runs read-only {@code work} on a connection of its own, so that it waits for no write: it
     * sees what was committed. For the many small reads of the blob plane.
     */
    public <T> T read(Work<T> work) throws SQLException {
        if (closed) {
            throw new SQLException("the database " + url + " is closed");
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
                throw new SQLException("interrupted while waiting for a database connection", e);
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

    /**
     * Like {@link #transaction}, but the writes of threads calling this at the same time are
     * committed together: whoever gets the connection first runs every waiting one, each undone
     * alone if it throws, and commits once. For writes from many threads (one per upload).
     */
    public <T> T transactionTogether(Work<T> work) throws SQLException {
        Together<T> mine = new Together<>(work);
        together.add(mine);
        synchronized (this) {
            if (!mine.done) {
                runTogether();
            }
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.result;
    }

    private void runTogether() throws SQLException {
        List<Together<?>> batch = new ArrayList<>();
        for (Together<?> t; (t = together.poll()) != null;) {
            batch.add(t);
        }
        for (Together<?> t : batch) {
            Savepoint savepoint = connection.setSavepoint();
            try {
                t.run(connection);
                connection.releaseSavepoint(savepoint);
            } catch (SQLException | RuntimeException e) {
                connection.rollback(savepoint);
                t.failure = e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e);
            }
        }
        try {
            if (groupOwner != Thread.currentThread()) {
                connection.commit();
            }
        } catch (SQLException e) {
            connection.rollback();
            batch.forEach(t -> t.failure = e);
        } finally {
            batch.forEach(t -> t.done = true);
        }
    }

    /** A write waiting to be committed with others (guarded by the database's lock once queued). */
    private static final class Together<T> {
        private final Work<T> work;
        private T result;
        private SQLException failure;
        private boolean done;

        Together(Work<T> work) {
            this.work = work;
        }

        void run(Connection c) throws SQLException {
            result = work.run(c);
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
        groupFailure = null;
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
                    if (groupFailure != null) {
                        throw new SQLException("a write of this group failed: " + groupFailure.getMessage(), groupFailure);
                    }
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
        closed = true;
        closeQuietly(connection);
        for (Connection reader; (reader = readers.poll()) != null;) {
            closeQuietly(reader);
        }
    }

    private void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.warn("Closing the database {}: {}", url, e.getMessage());
        }
    }
}
