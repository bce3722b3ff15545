package org.daig.product.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL as an administrator would point a coordinator at it: a cluster of its own
 * on a loopback port, one database, trusted local logins. PostgreSQL will not run as root, so a root
 * test runs its tools as the postgres user, in a temporary folder of /tmp that user can reach
 * (not under the test's own folder, which only root may enter).
 */
final class Postgres implements AutoCloseable {

    final int port;
    /** The address it listens on (and clients connect to). */
    final String host;
    private final Path bin;
    private final Path dir;
    private final Path data;
    private final boolean root = "root".equals(System.getProperty("user.name"));

    private Postgres(Path bin, Path dir, String host, int port) {
        this.bin = bin;
        this.host = host;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
    }

    /** The newest installed server's tools, or null when PostgreSQL is not installed. */
    static Path installed() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(lib)) {
            return null;
        }
        try (Stream<Path> servers = Files.list(lib)) {
            return servers.map(s -> s.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .filter(b -> b.getParent().getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElse(null);
        }
    }

    /** Creates and starts a cluster with one database, {@code daig}. */
    static Postgres start(Path bin, int port) throws IOException, InterruptedException {
        return start(bin, "127.0.0.1", port, List.of());
    }

    /**
     * As above, listening on {@code host} only, its server started through {@code launcher} (e.g.
     * {@code ip netns exec <namespace>}: another host). Clients of {@code host}'s /24 are trusted
     * as local ones are: a network that exists only inside the test's namespaces.
     */
    static Postgres start(Path bin, String host, int port, List<String> launcher) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("daig-postgres");
        Postgres p = new Postgres(bin, dir, host, port);
        if (p.root) {
            tool(List.of("chown", "postgres:postgres", dir.toString()));
        }
        p.as("initdb", "-D", p.data.toString(), "-U", "daig", "-A", "trust", "-E", "UTF8", "--no-sync");
        if (!host.equals("127.0.0.1")) {
            String subnet = host.substring(0, host.lastIndexOf('.')) + ".0/24";
            Files.writeString(p.data.resolve("pg_hba.conf"), "host all daig " + subnet + " trust\n", StandardOpenOption.APPEND);
        }
        List<String> ctl = new ArrayList<>(launcher);
        ctl.addAll(p.command("pg_ctl", "-D", p.data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=" + host, "start"));
        tool(ctl);
        p.as("createdb", "-h", host, "-p", Integer.toString(port), "-U", "daig", "daig");
        return p;
    }

    /** The coordinator's {@code jdbcUrl}. */
    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/daig?user=daig";
    }

    /** The answer of one SQL query on database {@code daig}, as psql prints it unaligned (e.g. "5"). */
    String query(String sql) throws IOException, InterruptedException {
        return as("psql", "-h", host, "-p", Integer.toString(port), "-U", "daig", "-d", "daig", "-tAc", sql).strip();
    }

    private String as(String name, String... args) throws IOException, InterruptedException {
        return tool(command(name, args));
    }

    private List<String> command(String name, String... args) {
        List<String> command = new ArrayList<>(root ? List.of("runuser", "-u", "postgres", "--") : List.of());
        command.add(bin.resolve(name).toString());
        command.addAll(Arrays.asList(args));
        return command;
    }

    private static String tool(List<String> command) throws IOException, InterruptedException {
        // run from the temporary folder: the postgres user may not enter the checkout (e.g. under /root)
        Process p = new ProcessBuilder(command).directory(new java.io.File(System.getProperty("java.io.tmpdir")))
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + said);
        }
        return said;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            as("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
        } finally {
            tool(List.of("rm", "-rf", dir.toString()));
        }
    }
}
