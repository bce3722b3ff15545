package org.daig.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * Migration 17 on a database of a coordinator from before it: the deltas of finished projects are
 * copied where requestors' reads find them now, those of unfinished ones stay in results only (the
 * scheduler reads them into memory at start), and the index by delta goes. On H2 and on PostgreSQL.
 */
class DeltaMigrationTest {

    private static final int BEFORE = 16;

    @Test
    void onH2() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:delta-migration;DB_CLOSE_DELAY=-1");
        migrateFrom16(h2);
    }

    @Test
    void onPostgreSQL() throws Exception {
        migrateFrom16(TestDatabases.postgresqlSource("delta_migration"));
    }

    private static void migrateFrom16(DataSource source) throws Exception {
        try (Connection c = source.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE schema_version (version INT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)");
            for (int i = 0; i < BEFORE; i++) {
                for (String sql : Migrations.ALL.get(i)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO schema_version (version, applied_at) VALUES (" + (i + 1) + ", 0)");
            }
            project(s, "done", "COMPLETED", hex(1));
            project(s, "stopped", "CANCELLED", hex(2));
            project(s, "running", "RUNNING", hex(3));
        }
        try (Database db = new Database(source, "test")) {
            assertEquals(Migrations.ALL.size(), db.schemaVersion());
            assertEquals(List.of(hex(1) + " done", hex(2) + " stopped"), db.read(DeltaMigrationTest::finishedDeltas),
                    "the finished projects' deltas, not the running one's");
            assertEquals(hex(3), db.read(c -> DeltaStore.deltaOf(c, "running", 0, 0)), "the running one's result is where it was");
        }
    }

    private static void project(Statement s, String id, String state, String delta) throws SQLException {
        s.execute("INSERT INTO projects (id, name, state, model_blob, x_blob, y_blob, epochs, batch_size, total_tasks, task_size, "
                + "max_contributors, validation_rate, passes, strategy, seed, total_rounds, created_at) VALUES ('" + id + "', 'p', '" + state
                + "', '" + hex(10) + "', '" + hex(11) + "', '" + hex(12) + "', 1, 8, 2, 2, 2, 0.1, 1, 'kbatch-sync', 7, 1, 0)");
        s.execute("INSERT INTO results (project_id, round, shard, provider_id, lease_id, delta_blob, samples, norm, lease_millis, "
                + "accepted_at) VALUES ('" + id + "', 0, 0, 'prov-a', 'l1', '" + delta + "', 10, 1.0, 100, 0)");
    }

    private static List<String> finishedDeltas(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT delta_blob, project_id FROM finished_deltas ORDER BY delta_blob")) {
            while (r.next()) {
                rows.add(r.getString(1) + " " + r.getString(2));
            }
        }
        return rows;
    }

    private static String hex(int n) {
        return String.format("%064x", n);
    }
}
