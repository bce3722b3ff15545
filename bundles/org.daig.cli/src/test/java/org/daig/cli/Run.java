package org.daig.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.daig.api.trainer.WorkerLauncher;

/** One run of the command line in this JVM, with its output captured and the trainer faked. */
final class Run {

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    /** What the trainer JVM would have been asked to run, one list per run. */
    final List<List<String>> trainerRuns = new ArrayList<>();
    int status;

    /** A configuration folder of its own, so that no test reads or writes the real user's saved login. */
    private static final Path NO_CONFIG;

    static {
        try {
            NO_CONFIG = java.nio.file.Files.createTempDirectory("daig-cli-test-config");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Run of(Supplier<WorkerLauncher> launcher, String... args) {
        return with(Map.of("XDG_CONFIG_HOME", NO_CONFIG.toString()), null, launcher, args);
    }

    /** A run with its environment (XDG_CONFIG_HOME, DAIG_TOKEN, ...) and the answers typed at its terminal (null: no terminal). */
    static Run with(Map<String, String> env, Context.Prompt prompt, String... args) {
        return with(env, prompt, () -> {
            throw new AssertionError("no worker expected");
        }, args);
    }

    private static Run with(Map<String, String> env, Context.Prompt prompt, Supplier<WorkerLauncher> launcher, String... args) {
        Run run = new Run();
        Context context = new Context(new PrintStream(run.out, true, StandardCharsets.UTF_8),
                new PrintStream(run.err, true, StandardCharsets.UTF_8), false, env, Path.of("no-worker"), Path.of("no-data"),
                launcher, (c, trainerArgs) -> {
                    run.trainerRuns.add(List.copyOf(trainerArgs));
                    return 0;
                }, prompt);
        run.status = Daig.run(context, args);
        return run;
    }

    /** A run whose launcher must not be used. */
    static Run of(String... args) {
        return of(() -> {
            throw new AssertionError("no worker expected");
        }, args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "exit " + status + "\nstdout:\n" + out() + "\nstderr:\n" + err();
    }
}
