package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One materialized product started by its own script, with its own config, data and log folders
 * (a copy of the shipped config, edited as an operator would edit it).
 */
final class ProductProcess implements AutoCloseable {

    static final Path PRODUCTS = Path.of(System.getProperty("daig.products", "../../product/target/products"));
    static final String ADMIN_PASSWORD_ENV = "DAIG_ADMIN_PASSWORD";
    /** What the products and bin/daig would take from the environment in place of a test's accounts. */
    private static final List<String> SECRETS = List.of(ADMIN_PASSWORD_ENV, "DAIG_PASSWORD", "DAIG_TOKEN", "DAIG_COORDINATOR");

    final Path home;
    final Path work;
    private final String script;
    private final List<String> output = new ArrayList<>();
    private Process process;
    private Thread reader;

    private ProductProcess(Path home, String script, Path work) {
        this.home = home;
        this.script = script;
        this.work = work;
    }

    static Path coordinatorHome() {
        return PRODUCTS.resolve("daig-coordinator/linux/gtk/x86_64/daig-coordinator");
    }

    static Path desktopHome() {
        return PRODUCTS.resolve("daig-desktop/linux/gtk/x86_64/daig-desktop");
    }

    static ProductProcess coordinator(Path work) throws IOException {
        return new ProductProcess(coordinatorHome(), "daig-coordinator", work).copyConfig();
    }

    /** The coordinator again on a work folder that already has its config and data (a restart). */
    static ProductProcess reuse(Path work) {
        return new ProductProcess(coordinatorHome(), "daig-coordinator", work);
    }

    static ProductProcess provider(Path work) throws IOException {
        return new ProductProcess(desktopHome(), "daig-provider", work).copyConfig();
    }

    private ProductProcess copyConfig() throws IOException {
        Path target = work.resolve("config");
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(home.resolve("config"))) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return this;
    }

    /** Sets (or adds) {@code key=value} in one of the copied .cfg files. */
    ProductProcess set(String cfgFile, String key, Object value) throws IOException {
        Path file = work.resolve("config").resolve(cfgFile);
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
        lines.removeIf(line -> line.matches("#?\\s*" + Pattern.quote(key) + "\\s*=.*"));
        lines.add(key + "=" + value);
        Files.write(file, lines);
        return this;
    }

    private final Map<String, String> extraEnv = new java.util.HashMap<>();
    private final List<String> launcher = new ArrayList<>();

    /** What the start script's command line starts with, e.g. {@code ip netns exec <namespace>} (another host). */
    ProductProcess launcher(List<String> prefix) {
        launcher.clear();
        launcher.addAll(prefix);
        return this;
    }

    /** An environment variable for the start script, e.g. JAVA_OPTS. */
    ProductProcess env(String key, String value) {
        extraEnv.put(key, value);
        return this;
    }

    /**
     * The admin's password for the coordinator's first start (docs/security.md): the coordinator
     * creates {@code admin} with it instead of generating one.
     */
    ProductProcess adminPassword(String password) {
        return env(ADMIN_PASSWORD_ENV, password);
    }

    /**
     * The password of the coordinator's {@code admin}: the one it was started with
     * ({@link #adminPassword(String)}), else the one it generated at its first start into
     * {@code <data>/accounts/admin-password} (also after a restart on the same data).
     */
    String adminPassword() throws IOException {
        String given = extraEnv.get(ADMIN_PASSWORD_ENV);
        if (given != null) {
            return given;
        }
        return Files.readAllLines(adminPasswordFile()).get(0).strip();
    }

    /** Where a coordinator writes the admin's password it generated at its first start. */
    Path adminPasswordFile() {
        return work.resolve("data/accounts/admin-password");
    }

    /** The admin of this coordinator, logged in over HTTP at {@code base} (http://host:port). */
    GridAccounts accounts(String base) throws IOException, InterruptedException {
        return GridAccounts.admin(base, adminPassword());
    }

    ProductProcess start() throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.add(home.resolve("bin").resolve(script).toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        SECRETS.forEach(env::remove); // only what a test gives: never the developer's own tokens or passwords
        env.put("DAIG_CONFIG_DIR", work.resolve("config").toString());
        env.put("DAIG_DATA_DIR", work.resolve("data").toString());
        env.put("DAIG_LOG_DIR", work.resolve("logs").toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.putAll(extraEnv);
        process = builder.start();
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    synchronized (output) {
                        output.add(line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, script + "-output");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** The copied config folder's files and contents, to check that nothing rewrote them. */
    Map<String, String> configSnapshot() throws IOException {
        Map<String, String> snapshot = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(work.resolve("config"))) {
            for (Path file : files.toList()) {
                snapshot.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        return snapshot;
    }

    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** Waits for an output line matching {@code regex}; returns its first group (or the line). */
    String awaitLine(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        Object[] found = new Object[1];
        try {
            awaitMatch(pattern, found, timeout);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; it printed:\n" + String.join("\n", output()), e);
        }
        return (String) found[0];
    }

    private void awaitMatch(Pattern pattern, Object[] found, Duration timeout) {
        String regex = pattern.pattern();
        await("a line matching /" + regex + "/ from " + script, timeout, () -> {
            for (String line : output()) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    found[0] = m.groupCount() > 0 ? m.group(1) : line;
                    return true;
                }
            }
            if (!process.isAlive()) {
                fail(script + " exited with " + process.exitValue() + " before printing /" + regex + "/:\n" + String.join("\n", output()));
            }
            return false;
        });
    }

    boolean printed(String fragment) {
        return output().stream().anyMatch(line -> line.contains(fragment));
    }

    /** The product's process id (its start script execs Java), or -1 before {@link #start}. */
    long pid() {
        return process == null ? -1 : process.pid();
    }

    /** SIGKILL: the process gets no chance to say goodbye. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Ctrl-C or a service manager sends it; returns the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        // Through the handle: Process.destroy() would also close our end of its output, and we
        // want to read what it prints while shutting down.
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail(script + " did not stop within " + timeout.toSeconds() + " s of SIGTERM:\n" + String.join("\n", output()));
        }
        reader.join(5000); // read what it printed last
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Runs the coordinator product's {@code bin/daig} (the trainer and requestor commands) with
     * its data under {@code work/cli} and its saved login under {@code work/cli-config}; returns
     * its output, failing on a non-zero exit.
     */
    static String daig(Path work, String... args) throws IOException, InterruptedException {
        Run run = run(coordinatorHome(), work, args);
        if (run.exit() != 0) {
            fail("daig " + String.join(" ", args) + " exited with " + run.exit() + ":\n" + run.output());
        }
        return run.output();
    }

    /** What a command printed (standard output and error) and its exit status. */
    record Run(int exit, String output) {
    }

    /**
     * Runs {@code home}'s {@code bin/daig} as {@link #daig} does, whatever its exit status. The
     * saved login ($XDG_CONFIG_HOME/daig) is the test's own, never the developer's.
     */
    static Run run(Path home, Path work, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/daig").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        SECRETS.forEach(builder.environment()::remove);
        builder.environment().put("DAIG_DATA_DIR", work.resolve("cli").toString());
        builder.environment().put("XDG_CONFIG_HOME", work.resolve("cli-config").toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("daig " + String.join(" ", args) + " did not finish within 300 s:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }

    /**
     * {@code daig login} as {@code user} at {@code base}, the password read from a file only this
     * user can read: the later {@link #daig} commands of {@code work} use the saved session.
     */
    static String login(Path work, String base, String user, String password) throws IOException, InterruptedException {
        Path passwordFile = GridAccounts.secretFile(work.resolve("secrets"), user + ".password", password);
        return daig(work, "login", "--coordinator", base, "--user", user, "--password-file", passwordFile.toString());
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /**
     * Polls a check every 100 ms (first at once, on this thread) until it holds; an IOException
     * means "not yet" (e.g. the endpoint is not listening yet), any other exception or a failed
     * assertion ends the wait. Fails with the description after the timeout.
     */
    static void await(String what, Duration timeout, Check check) {
        try {
            Awaitility.await(what).atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .dontCatchUncaughtExceptions().until(() -> {
                        try {
                            return check.holds();
                        } catch (IOException | UncheckedIOException notYet) {
                            return false;
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Timed out after " + timeout.toMillis() / 1000.0 + " s waiting for " + what, e);
        }
    }
}
