package org.daig.coordinator.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The coordinators' leader lock on Debian's PostgreSQL: one holder at a time; a standby gets the
 * lock once the leader's session ends, whether it closed or was cut off; a leader whose session
 * was cut off learns that it no longer leads.
 */
class LeaderLockOnPostgreSQLTest {

    @Test
    void onlyOneCoordinatorHoldsTheLockAndTheStandbyGetsItWhenTheLeaderStops() throws Exception {
        PGSimpleDataSource source = TestDatabases.postgresqlSource("leader");
        try (LeaderLock active = new LeaderLock(source); LeaderLock standby = new LeaderLock(source)) {
            assertTrue(active.tryAcquire(), "the first coordinator leads");
            assertFalse(standby.tryAcquire(), "the second stands by");
            assertTrue(active.tryAcquire(), "asking again while leading: still the leader");
            assertFalse(standby.tryAcquire(), "still standing by");
            active.close(); // the process stops: its session ends (PostgreSQL notices a moment later)
            await("the standby takes over").atMost(Duration.ofSeconds(10)).until(standby::tryAcquire);
            assertFalse(active.tryAcquire(), "the old leader, started again, stands by");
        }
    }

    @Test
    void aLeaderWhoseSessionIsCutOffStopsLeadingAndTheStandbyTakesOver() throws Exception {
        PGSimpleDataSource source = TestDatabases.postgresqlSource("leadercut");
        try (LeaderLock active = new LeaderLock(source); LeaderLock standby = new LeaderLock(source)) {
            assertTrue(active.tryAcquire());
            assertFalse(standby.tryAcquire());
            assertEquals(1, terminateLockHolders(source), "the holder's session, cut off as a dead process's or network would be");
            await("the lock is free once its session is gone").atMost(Duration.ofSeconds(10)).until(standby::tryAcquire);
            assertFalse(active.tryAcquire(), "the cut-off leader learns it leads no more");
        }
    }

    /** Ends the sessions holding the leader lock, as PostgreSQL does when their client dies. */
    private static int terminateLockHolders(PGSimpleDataSource source) throws SQLException {
        try (Connection admin = source.getConnection(); Statement s = admin.createStatement();
                ResultSet r = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND objid = "
                        + LeaderLock.KEY + " AND granted")) {
            r.next();
            return r.getInt(1);
        }
    }
}
