package org.daig.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

import org.daig.api.trainer.WorkerLauncher;
import org.daig.requestor.SavedLogin;
import org.daig.trainer.launcher.ProcessWorkerLauncher;

/**
 * What the commands run against: their output streams, the environment, the trainer runtime and
 * the data folder. {@link #system()} is the real one; tests build their own, with a launcher of
 * fake workers and a trainer that records what it was asked to run.
 *
 * @param out         what the commands print
 * @param err         their problems
 * @param terminal    whether {@code out} is a terminal (progress bars are redrawn in place only there)
 * @param env         environment variables (DAIG_COORDINATOR, DAIG_TRAINER_HEAP, ...)
 * @param workerDir   the trainer runtime (the trainer jar and its lib/ folder)
 * @param dataDir     the product's data folder; the trainer's natives and crash logs go to its worker/
 * @param launcher    starts the trainer worker that checks a model and its data
 * @param trainer     runs the trainer's own command line (model, train-local, data) to the end
 * @param prompt      asks the person at the terminal (a user name, a password without echo); null when there is none
 */
record Context(PrintStream out, PrintStream err, boolean terminal, Map<String, String> env, Path workerDir, Path dataDir,
        Supplier<WorkerLauncher> launcher, TrainerRunner trainer, Prompt prompt) {

    /** A context without a terminal to ask. */
    Context(PrintStream out, PrintStream err, boolean terminal, Map<String, String> env, Path workerDir, Path dataDir,
            Supplier<WorkerLauncher> launcher, TrainerRunner trainer) {
        this(out, err, terminal, env, workerDir, dataDir, launcher, trainer, null);
    }

    /** Questions to the person at the terminal. */
    interface Prompt {
        /** A line typed in answer to {@code question}; null at the end of input. */
        String readLine(String question);

        /** A secret typed without echo; null at the end of input. */
        char[] readPassword(String question);
    }

    /** Runs {@code org.daig.trainer.cli.TrainerCli} with the given arguments and answers its exit status. */
    @FunctionalInterface
    interface TrainerRunner {
        int run(Context context, java.util.List<String> args) throws Exception;
    }

    /** The context bin/daig starts the command line in: -Ddaig.worker.dir and -Ddaig.data.dir, else the environment. */
    static Context system() {
        Map<String, String> env = System.getenv();
        Path worker = Path.of(property("daig.worker.dir", env.getOrDefault("DAIG_WORKER_DIR", "worker")));
        Path data = Path.of(property("daig.data.dir", env.getOrDefault("DAIG_DATA_DIR", "data")));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        java.io.Console console = System.console();
        Prompt prompt = console == null ? null : new Prompt() {
            @Override
            public String readLine(String question) {
                return console.readLine("%s", question);
            }

            @Override
            public char[] readPassword(String question) {
                return console.readPassword("%s", question);
            }
        };
        return new Context(System.out, System.err, console != null, env, worker, data,
                () -> ProcessWorkerLauncher.of(worker, java, data.resolve("worker")), TrainerProcess::run, prompt);
    }

    /** Where {@code daig login} keeps the login: the user's configuration folder (see {@link SavedLogin#defaultFile}). */
    Path credentialsFile() {
        return SavedLogin.defaultFile(env, System.getProperty("os.name"), System.getProperty("user.home"));
    }

    String env(String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The trainer's heap: DAIG_TRAINER_HEAP, default 2g (as for the trainer commands). */
    String trainerHeap() {
        return env("DAIG_TRAINER_HEAP", "2g");
    }

    private static String property(String name, String fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
