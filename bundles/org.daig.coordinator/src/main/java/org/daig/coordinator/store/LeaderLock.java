package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/**
 * PostgreSQL's session-level advisory lock as the coordinators' leader lock: whoever holds it acts
 * for the grid. It is held by a connection of its own, so it ends with that session: when the
 * leader's process dies (even by kill -9) or its connection breaks, PostgreSQL releases the lock
 * and a standby's next {@link #tryAcquire()} gets it.
 */
public final class LeaderLock implements AutoCloseable {

    /** The lock's key, the same for every coordinator of a database: "DAIG" in ASCII. */
    static final long KEY = 0x44414947L;

    private final DataSource source;
    private Connection connection;
    private boolean held;

    public LeaderLock(DataSource source) {
        this.source = source;
    }

    /** Whether this process holds the lock now (taking it if it is free). */
    public synchronized boolean tryAcquire() throws SQLException {
        if (held) {
            return stillHeld();
        }
        if (connection == null) {
            connection = source.getConnection();
            connection.setAutoCommit(true);
        }
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT pg_try_advisory_lock(" + KEY + ")")) {
            held = r.next() && r.getBoolean(1);
            return held;
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** Whether the session that took the lock is still alive (a live session keeps its advisory locks). */
    private boolean stillHeld() {
        try {
            if (connection.isValid(5)) {
                return true;
            }
        } catch (SQLException e) {
            // treated as lost below
        }
        close();
        return false;
    }

    /** Releases the lock by ending its session. */
    @Override
    public synchronized void close() {
        held = false;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the session is gone either way
            }
            connection = null;
        }
    }
}
