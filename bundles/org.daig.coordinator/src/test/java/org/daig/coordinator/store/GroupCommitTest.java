package org.daig.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The task exchange's group commits: decisions made in a group are stored together when it
 * commits, one failing decision undoes only itself, an abandoned group undoes all of them, and
 * what waits for the commit runs only after it; reads on their own connections see only what is
 * committed, while a query in the group sees the group's writes; a write appended without a
 * savepoint, or a query in the group, that fails fails the whole group; and writes from many threads are committed together.
 * On H2 here; on PostgreSQL in the subclass.
 */
class GroupCommitTest {

    private Database db;
    private Database other;

    TestDatabases.Place place() throws Exception {
        return TestDatabases.h2("group");
    }

    @BeforeEach
    void open() throws Exception {
        TestDatabases.Place place = place();
        db = place.open();
        other = place.open(); // a second connection: sees only what is committed
        db.transaction(c -> execute(c, "CREATE TABLE decisions (k INT NOT NULL)"));
    }

    @AfterEach
    void close() {
        db.close();
        other.close();
    }

    private void insert(Database on, int k) throws SQLException {
        on.transaction(c -> insertWith(c, String.valueOf(k)));
    }

    private static List<Integer> stored(Database on) throws SQLException {
        return on.transaction(GroupCommitTest::keys);
    }

    @Test
    void aGroupsDecisionsAreStoredTogetherWhenItCommits() throws Exception {
        try (Database.Group group = db.group()) {
            insert(db, 1);
            insert(db, 2);
            assertEquals(List.of(), stored(other), "nothing is visible before the commit");
            group.commit();
        }
        assertEquals(List.of(1, 2), stored(other));
    }

    @Test
    void aFailingDecisionUndoesOnlyItself() throws Exception {
        try (Database.Group group = db.group()) {
            insert(db, 1);
            assertThrows(SQLException.class, () -> db.transaction(c -> execute(c, "INSERT INTO decisions (k) VALUES (7)",
                    "INSERT INTO decisions (k) VALUES (NULL)"))); // violates NOT NULL: this decision fails
            insert(db, 3);
            group.commit();
        }
        assertEquals(List.of(1, 3), stored(other));
    }

    @Test
    void aGroupClosedWithoutItsCommitIsUndone() throws Exception {
        List<String> told = new ArrayList<>();
        try (Database.Group group = db.group()) {
            insert(db, 1);
            db.afterCommit(() -> told.add("version 1"));
        }
        assertEquals(List.of(), stored(other));
        assertEquals(List.of(), told, "what waited for a commit that never came is dropped");
        insert(db, 2); // and the database works on as before
        assertEquals(List.of(2), stored(other));
    }

    @Test
    void whatWaitsForTheCommitRunsAfterIt() throws Exception {
        List<List<Integer>> seenByListener = new ArrayList<>();
        try (Database.Group group = db.group()) {
            insert(db, 1);
            db.afterCommit(() -> {
                try {
                    seenByListener.add(stored(other));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(List.of(), seenByListener);
            group.commit();
        }
        assertEquals(List.of(List.of(1)), seenByListener, "the listener ran once, after the decision was stored");
        List<String> direct = new ArrayList<>();
        db.afterCommit(() -> direct.add("at once"));
        assertEquals(List.of("at once"), direct, "outside a group nothing waits");
    }

    @Test
    void anotherThreadsTransactionDoesNotWaitForTheGroupNorUndoIt() throws Exception {
        try (Database.Group group = db.group()) {
            insert(db, 1);
            CompletableFuture.runAsync(() -> {
                try {
                    insert(db, 2); // e.g. the lease ticker: commits at once
                    assertThrows(SQLException.class, () -> db.transaction(c -> insertWith(c, "NULL")));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).get(30, TimeUnit.SECONDS);
            insert(db, 3);
            group.commit();
        }
        assertEquals(List.of(1, 2, 3), stored(other), "the other thread's failure undid none of the group's decisions");
    }

    @Test
    void aQueryInTheGroupSeesWhatTheGroupWrote() throws Exception {
        insert(db, 1);
        try (Database.Group group = db.group()) {
            insert(db, 2);
            assertEquals(List.of(1, 2), db.query(GroupCommitTest::keys), "the writer's connection, the group's writes included");
            group.commit();
        }
        assertEquals(List.of(1, 2), db.query(GroupCommitTest::keys), "outside a group: what is committed");
    }

    @Test
    void aFailedAppendFailsTheWholeGroup() throws Exception {
        try (Database.Group group = db.group()) {
            insert(db, 1);
            db.append(c -> insertWith(c, "2"));
            assertThrows(SQLException.class, () -> db.append(c -> insertWith(c, "NULL")));
            SQLException failed = assertThrows(SQLException.class, group::commit);
            assertTrue(failed.getMessage().contains("a write of this group failed"), failed.getMessage());
        }
        assertEquals(List.of(), stored(other), "none of the group's writes is stored");
        db.append(c -> insertWith(c, "3")); // outside a group: a transaction of its own
        try (Database.Group group = db.group()) {
            db.append(c -> insertWith(c, "4"));
            group.commit(); // a new group starts without the old failure
        }
        assertEquals(List.of(3, 4), stored(other));
    }

    @Test
    void aFailedQueryInTheGroupFailsItToo() throws Exception {
        try (Database.Group group = db.group()) {
            insert(db, 1);
            assertThrows(SQLException.class, () -> db.query(c -> execute(c, "SELECT k FROM no_such_table")));
            assertThrows(SQLException.class, group::commit, "without a savepoint, a failed read may have spoilt the transaction");
        }
        assertEquals(List.of(), stored(other));
        insert(db, 2); // and the database works on as before
        assertEquals(List.of(2), stored(other));
    }

    private static Void insertWith(java.sql.Connection c, String k) throws SQLException {
        return execute(c, "INSERT INTO decisions (k) VALUES (" + k + ")");
    }

    /** Runs {@code statements} in order on {@code c}; the first that fails throws. */
    private static Void execute(java.sql.Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
        return null;
    }

    @Test
    void readsSeeWhatIsCommittedWithoutWaitingForTheGroup() throws Exception {
        insert(db, 1);
        try (Database.Group group = db.group()) {
            insert(db, 2);
            assertEquals(List.of(1), db.read(GroupCommitTest::keys), "a read is not part of the open group");
            group.commit();
        }
        assertEquals(List.of(1, 2), db.read(GroupCommitTest::keys));
    }

    @Test
    void writesFromManyThreadsAreCommittedTogetherEachUndoneAlone() throws Exception {
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int k = 1; k <= 40; k++) {
            int key = k;
            writes.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return db.transactionTogether(c -> {
                        try (Statement s = c.createStatement()) {
                            s.execute("INSERT INTO decisions (k) VALUES (" + (key == 13 ? "NULL" : key) + ")");
                        }
                        return key;
                    });
                } catch (SQLException e) {
                    return -key; // the caller hears of its own failure
                }
            }));
        }
        List<Integer> answers = writes.stream().map(w -> w.orTimeout(30, TimeUnit.SECONDS).join()).toList();
        List<Integer> expected = new ArrayList<>();
        for (int k = 1; k <= 40; k++) {
            expected.add(k == 13 ? -13 : k);
        }
        assertEquals(expected, answers);
        expected.remove(Integer.valueOf(-13));
        assertEquals(expected, stored(other), "every write but the failed one is stored");
    }

    private static List<Integer> keys(java.sql.Connection c) throws SQLException {
        List<Integer> ks = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT k FROM decisions ORDER BY k")) {
            while (r.next()) {
                ks.add(r.getInt(1));
            }
        }
        return ks;
    }

    @Test
    void oneGroupAtATime() throws Exception {
        try (Database.Group group = db.group()) {
            assertThrows(IllegalStateException.class, db::group);
            group.commit();
            assertThrows(IllegalStateException.class, group::commit);
        }
    }
}
