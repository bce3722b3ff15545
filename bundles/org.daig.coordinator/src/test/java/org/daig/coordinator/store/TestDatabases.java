package org.daig.coordinator.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The databases the store tests run on: an in-memory H2, and a real PostgreSQL (Debian's, from
 * {@code apt-get install postgresql}) in a throw-away cluster this class starts on a free local
 * port and stops when the tests' JVM exits. Each {@link #h2} or {@link #postgresql} call is a new,
 * empty database; its {@link Place#open} may be called again to connect anew, as a restarted
 * coordinator does.
 */
public final class TestDatabases {

    /** A test's database: each {@link #open} is a new connection to the same data. */
    public interface Place {
        Database open() throws SQLException;
    }

    private static final AtomicInteger COUNT = new AtomicInteger();
    private static Cluster cluster;

    private TestDatabases() {
    }

    public static Place h2(String prefix) {
        String url = "jdbc:h2:mem:" + prefix + COUNT.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        return () -> {
            JdbcDataSource source = new JdbcDataSource();
            source.setURL(url);
            return new Database(source, url);
        };
    }

    /** A new database in the test cluster; the test is skipped (with the reason) where PostgreSQL is not installed. */
    public static Place postgresql(String prefix) throws Exception {
        PGSimpleDataSource source = postgresqlSource(prefix);
        return () -> new Database(source, source.getURL());
    }

    /** A new, empty database in the test cluster, as a data source (skipped where PostgreSQL is not installed). */
    public static PGSimpleDataSource postgresqlSource(String prefix) throws Exception {
        Cluster c = cluster();
        String name = prefix.toLowerCase() + COUNT.incrementAndGet();
        try (Connection admin = DriverManager.getConnection(c.url("postgres"), "daig", "");
                Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(c.url(name));
        source.setUser("daig");
        return source;
    }

    private static synchronized Cluster cluster() throws Exception {
        if (cluster == null) {
            Path bin = installedBin();
            assumeTrue(bin != null, "PostgreSQL is not installed (apt-get install postgresql): the store tests on PostgreSQL are skipped");
            cluster = Cluster.start(bin);
        }
        return cluster;
    }

    /** The newest /usr/lib/postgresql/N/bin with initdb and pg_ctl, or null. */
    private static Path installedBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .filter(b -> b.getParent().getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElse(null);
        }
    }

    /** A cluster of its own, in a temporary folder, run by the postgres user when the tests run as root (PostgreSQL refuses root). */
    private record Cluster(Path bin, Path dir, int port, boolean asPostgres) {

        static Cluster start(Path bin) throws Exception {
            boolean root = "root".equals(System.getProperty("user.name"));
            Path dir = Files.createTempDirectory("daig-postgresql");
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Cluster c = new Cluster(bin, dir, port, root);
            if (root) {
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            }
            c.pg("initdb", "-D", dir.resolve("data").toString(), "-U", "daig", "-A", "trust", "--no-sync", "-E", "UTF8");
            c.pg("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w", "-t", "60", "-o",
                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    c.pg("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "stop");
                    run(List.of("rm", "-rf", dir.toString()));
                } catch (Exception e) {
                    System.err.println("stopping the test PostgreSQL in " + dir + ": " + e.getMessage());
                }
            }));
            return c;
        }

        String url(String database) {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
        }

        void pg(String tool, String... args) throws Exception {
            List<String> command = new ArrayList<>();
            if (asPostgres) {
                command.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            command.add(bin.resolve(tool).toString());
            command.addAll(List.of(args));
            run(command);
        }

        static void run(List<String> command) throws Exception {
            // run from the temporary folder: the postgres user may not enter the checkout (e.g. under /root)
            Process p = new ProcessBuilder(command).directory(new java.io.File(System.getProperty("java.io.tmpdir")))
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        }
    }
}
