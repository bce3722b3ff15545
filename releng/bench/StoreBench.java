import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Random;

/**
 * What an accepted result costs the coordinator's H2 store, as the task exchange writes it (issue 16):
 * the lease ended, the result and its credit inserted, in group commits, on a file database with
 * WRITE_DELAY=0 as the coordinator opens it. Two schemas in the same process, alternately: with the
 * indexes by delta and by device the coordinator had before schema 17 (and the copy check's query on
 * the first), and without them (the copy check is in memory). Results come back in roughly the order
 * their leases went out, as in a round of simulated providers.
 * Usage: java StoreBench [--quick]
 */
public final class StoreBench {

    private static final String[] SCHEMA = {
        "CREATE TABLE leases (id VARCHAR(64) PRIMARY KEY, project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, "
            + "provider_id VARCHAR(64) NOT NULL, issued_at BIGINT NOT NULL, deadline BIGINT NOT NULL, state VARCHAR(16) NOT NULL, "
            + "ended_at BIGINT)",
        "CREATE INDEX leases_by_state ON leases (state, project_id)",
        "CREATE TABLE results (project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL, "
            + "lease_id VARCHAR(64) NOT NULL, delta_blob CHAR(64) NOT NULL, samples BIGINT NOT NULL, norm DOUBLE PRECISION NOT NULL, "
            + "accepted_at BIGINT NOT NULL, PRIMARY KEY (project_id, round, shard))",
        "CREATE TABLE credits (project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL, "
            + "amount DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (project_id, round, shard, provider_id))" };
    private static final String[] OLD_INDEXES = {
        "CREATE INDEX results_by_delta ON results (project_id, delta_blob)", "CREATE INDEX credits_by_provider ON credits (provider_id)" };

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int tasks = quick ? 2000 : 10_000;
        int rounds = quick ? 4 : 12;
        int group = 100;
        Path dir = Files.createTempDirectory("store-bench");
        double[] micros = new double[2];
        for (int pass = 0; pass < 2; pass++) { // twice each, alternately; the second pass counts
            for (int withIndexes = 1; withIndexes >= 0; withIndexes--) {
                micros[withIndexes] = run(dir.resolve(pass + "-" + withIndexes), withIndexes == 1, tasks, rounds, group);
            }
        }
        System.out.printf(java.util.Locale.ROOT, "store-bench: an accepted result costs %.1f µs with the indexes by delta and by device, "
                + "%.1f µs without (%.1fx less); rounds %d to %d of %d tasks, commits of %d%n", micros[1], micros[0], micros[1] / micros[0],
                rounds / 2 + 1, rounds, tasks, group);
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Microseconds per accepted result over the second half of the rounds (the tables have grown). */
    private static double run(Path dir, boolean withIndexes, int tasks, int rounds, int group) throws SQLException {
        Random random = new Random(42);
        long nanos = 0;
        long results = 0;
        try (Connection c = DriverManager.getConnection("jdbc:h2:" + dir.resolve("state") + ";WRITE_DELAY=0;CACHE_SIZE=262144")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : SCHEMA) {
                    s.execute(sql);
                }
                if (withIndexes) {
                    for (String sql : OLD_INDEXES) {
                        s.execute(sql);
                    }
                }
            }
            c.commit();
            PreparedStatement lease = c.prepareStatement("INSERT INTO leases (id, project_id, round, shard, provider_id, issued_at, deadline, "
                    + "state) VALUES (?,'p1',?,?,?,?,?,'ACTIVE')");
            PreparedStatement end = c.prepareStatement("UPDATE leases SET state = 'COMPLETED', ended_at = ? WHERE id = ? AND state = 'ACTIVE'");
            PreparedStatement result = c.prepareStatement("INSERT INTO results (project_id, round, shard, provider_id, lease_id, delta_blob, "
                    + "samples, norm, accepted_at) VALUES ('p1',?,?,?,?,?,100,1.0,?)");
            PreparedStatement credit = c.prepareStatement("INSERT INTO credits (project_id, round, shard, provider_id, amount, at) "
                    + "VALUES ('p1',?,?,?,1.0,?)");
            PreparedStatement seen = c.prepareStatement("SELECT round, shard FROM results WHERE project_id = 'p1' AND delta_blob = ?");
            long now = 1_700_000_000_000L;
            for (int round = 0; round < rounds; round++) {
                String[] leases = new String[tasks];
                String[] providers = new String[tasks];
                for (int i = 0; i < tasks; i++) {
                    now++;
                    leases[i] = String.format("l%012x%016x", now, random.nextLong()); // as LeaseIds: issue time first
                    providers[i] = String.format("load-%05d", random.nextInt(tasks));
                    lease.setString(1, leases[i]);
                    lease.setInt(2, round);
                    lease.setInt(3, i);
                    lease.setString(4, providers[i]);
                    lease.setLong(5, now);
                    lease.setLong(6, now + 60_000);
                    lease.executeUpdate();
                    if (i % 128 == 127) {
                        c.commit();
                    }
                }
                c.commit();
                Integer[] order = new Integer[tasks];
                double[] arrival = new double[tasks];
                for (int i = 0; i < tasks; i++) {
                    order[i] = i;
                    arrival[i] = i + random.nextGaussian() * tasks / 10.0;
                }
                Arrays.sort(order, Comparator.comparingDouble(i -> arrival[i]));
                long start = System.nanoTime();
                int n = 0;
                for (int i : order) {
                    byte[] digest = new byte[32];
                    random.nextBytes(digest);
                    String delta = HexFormat.of().formatHex(digest);
                    if (withIndexes) {
                        seen.setString(1, delta);
                        try (ResultSet r = seen.executeQuery()) {
                            while (r.next()) {
                                r.getInt(1);
                            }
                        }
                    }
                    result.setInt(1, round);
                    result.setInt(2, i);
                    result.setString(3, providers[i]);
                    result.setString(4, leases[i]);
                    result.setString(5, delta);
                    result.setLong(6, now);
                    result.executeUpdate();
                    credit.setInt(1, round);
                    credit.setInt(2, i);
                    credit.setString(3, providers[i]);
                    credit.setLong(4, now);
                    credit.executeUpdate();
                    end.setLong(1, now);
                    end.setString(2, leases[i]);
                    end.executeUpdate();
                    if (++n % group == 0) {
                        c.commit();
                    }
                }
                c.commit();
                if (round >= rounds / 2) {
                    nanos += System.nanoTime() - start;
                    results += tasks;
                }
            }
        }
        return nanos / 1e3 / results;
    }
}
