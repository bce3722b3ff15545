package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A process of {@link MultiHostTest}'s (a server or a provider host): its output lines, lines to its standard input. */
final class HostProcess implements AutoCloseable {

    private final String name;
    final Process process;
    private final Writer stdin;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    HostProcess(String name, List<String> command) throws IOException {
        this.name = name;
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    output.add(line);
                }
            } catch (IOException e) {
                // it ended
            }
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    List<String> lines() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    void alive() {
        if (!process.isAlive()) {
            fail(name + " exited with " + process.exitValue() + ":\n" + String.join("\n", lines()));
        }
    }

    /** Waits for a line starting with {@code prefix}; returns it. */
    String await(String prefix, Duration timeout) {
        String[] found = new String[1];
        ProductProcess.await(name + " to print " + prefix.strip(), timeout, () -> {
            found[0] = lines().stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
            if (found[0] == null) {
                alive();
            }
            return found[0] != null;
        });
        return found[0];
    }

    void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(name + " no longer reads its input:\n" + String.join("\n", lines()), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A java command line on this module's test class path (the JVM running the tests), e.g. for a server's main class. */
    static List<String> java(String... args) throws IOException {
        String classPath = Path.of("target/test-classes").toAbsolutePath() + java.io.File.pathSeparator
                + Files.readString(Path.of("target/test-classpath.txt")).strip();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath));
        command.addAll(List.of(args));
        return command;
    }

    @Override
    public String toString() {
        return name;
    }
}
