package org.daig.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The trainer's commands (model, train-local, data) need Deeplearning4j: they run in a JVM of
 * their own on the trainer runtime's class path, with stdin, stdout and stderr passed through.
 * Heap (DAIG_TRAINER_HEAP, default 2g) and threads (OMP_NUM_THREADS, default 1) are capped; a
 * native crash is reported with its crash log, which goes to the data folder's worker/.
 */
final class TrainerProcess {

    static final String MAIN_CLASS = "org.daig.trainer.cli.TrainerCli";

    private TrainerProcess() {
    }

    static int run(Context context, List<String> args) throws IOException, InterruptedException, CliFailure {
        Path worker = context.workerDir();
        if (!Files.isDirectory(worker.resolve("lib"))) {
            throw new CliFailure("no trainer runtime at " + worker + " (lib/ is missing)");
        }
        Path work = context.dataDir().resolve("worker");
        Files.createDirectories(work);
        Set<Path> earlier = crashLogs(work);
        ProcessBuilder builder = new ProcessBuilder(command(context, args)).inheritIO();
        builder.environment().put("OMP_NUM_THREADS", context.env("OMP_NUM_THREADS", "1"));
        Process process = builder.start();
        int status = process.waitFor();
        Optional<Path> crash = crashLogs(work).stream().filter(f -> !earlier.contains(f)).findFirst();
        if (crash.isPresent() || status > 128) {
            context.err().println("daig: the trainer crashed running '" + String.join(" ", args)
                    + "': a native error in Deeplearning4j/ND4J. Details: "
                    + crash.map(Path::toString).orElse("(no crash log; exit status " + status + ")"));
            return status == 0 ? 1 : status;
        }
        return status;
    }

    static List<String> command(Context context, List<String> args) {
        Path worker = context.workerDir();
        Path work = context.dataDir().resolve("worker");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + context.trainerHeap());
        command.add("-XX:ErrorFile=" + work.resolve("trainer-crash-%p.log"));
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-Dorg.bytedeco.javacpp.cachedir=" + work.resolve("javacpp"));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=error");
        command.add("-cp");
        // the java launcher expands "dir/*" itself, on every OS
        command.add(worker + File.separator + "*" + File.pathSeparator + worker.resolve("lib") + File.separator + "*");
        command.add(MAIN_CLASS);
        command.addAll(args);
        return command;
    }

    private static Set<Path> crashLogs(Path work) throws IOException {
        try (Stream<Path> files = Files.list(work)) {
            return files.filter(f -> f.getFileName().toString().startsWith("trainer-crash-")).collect(Collectors.toSet());
        }
    }
}
