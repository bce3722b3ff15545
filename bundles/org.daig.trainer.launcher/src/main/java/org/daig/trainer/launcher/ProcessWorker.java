package org.daig.trainer.launcher;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.daig.api.trainer.TrainerOps;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerDiedException;
import org.daig.api.trainer.WorkerException;
import org.daig.wire.Frames;
import org.daig.wire.Frames.Frame;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;

/**
 * A worker JVM seen from the process that starts it (provider or coordinator). Plain Java, no
 * DL4J: it starts the worker at low OS priority with capped threads and heap, talks frames with
 * it, suspends and resumes it (SIGSTOP/SIGCONT), and turns its death into a reason a person can
 * read: killed, out of memory, or crashed.
 */
public final class ProcessWorker implements Worker {

    /**
     * How to start a worker.
     *
     * @param java        the java executable
     * @param classPath   the worker's class path (the trainer jar and its lib folder)
     * @param heap        -Xmx value, e.g. "2g"
     * @param threads     CPU threads for ND4J/OpenBLAS/OpenMP and the JVM
     * @param lowPriority start under {@code nice -n 19} where the OS has it
     * @param workDir     JavaCPP's native cache, the JVM's temporary files and crash logs go here
     * @param confinement a command the JVM runs under (a sandbox, see {@link Sandbox}), or empty
     */
    public record Options(Path java, List<Path> classPath, String heap, int threads, boolean lowPriority, Path workDir,
            List<String> confinement) {

        public Options(Path java, List<Path> classPath, String heap, int threads, boolean lowPriority, Path workDir) {
            this(java, classPath, heap, threads, lowPriority, workDir, List.of());
        }
    }

    /** The worker's main class, in the trainer runtime (not on this bundle's class path). */
    static final String MAIN_CLASS = "org.daig.trainer.worker.WorkerMain";
    private static final Gson GSON = new Gson();

    private static final int STDERR_LINES = 60;

    private final Process process;
    private final DataInputStream in;
    private final OutputStream out;
    private final Deque<String> stderr = new ArrayDeque<>();
    private final String heap;
    private final Path workDir;
    /** The JVM's own pid: a sandbox starts it as its child, and signals must reach the JVM. */
    private long pid;

    private ProcessWorker(Process process, String heap, Path workDir) {
        this.process = process;
        this.pid = process.pid();
        this.heap = heap;
        this.workDir = workDir;
        this.in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        this.out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        Thread drain = new Thread(this::drainStderr, "daig-worker-stderr-" + process.pid());
        drain.setDaemon(true);
        drain.start();
    }

    public static ProcessWorker start(Options options) throws IOException {
        Files.createDirectories(options.workDir());
        Path temporary = Files.createDirectories(options.workDir().resolve("tmp"));
        List<String> command = new ArrayList<>();
        if (options.lowPriority() && new File("/usr/bin/nice").canExecute()) {
            command.addAll(List.of("/usr/bin/nice", "-n", "19")); // nice execs what follows: same pid, inherited by children
        }
        command.addAll(options.confinement());
        command.add(options.java().toString());
        command.add("-Djava.io.tmpdir=" + temporary);
        command.add("-Xmx" + options.heap());
        command.add("-XX:ActiveProcessorCount=" + options.threads());
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-XX:ErrorFile=" + options.workDir().resolve("worker-crash-%p.log"));
        command.add("-Dorg.bytedeco.javacpp.cachedir=" + options.workDir().resolve("javacpp"));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-Dorg.slf4j.simpleLogger.log.org.deeplearning4j.nn.conf.inputs.InputType=error");
        command.add("-cp");
        command.add(options.classPath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(MAIN_CLASS);
        ProcessBuilder builder = new ProcessBuilder(command);
        String threads = Integer.toString(options.threads());
        builder.environment().put("OMP_NUM_THREADS", threads);
        builder.environment().put("OPENBLAS_NUM_THREADS", threads);
        ProcessWorker worker = new ProcessWorker(builder.start(), options.heap(), options.workDir());
        if (!options.confinement().isEmpty()) {
            worker.pid = worker.jvmPid();
        }
        return worker;
    }

    /** The JVM's pid as it reports it (without a PID namespace it is the pid seen here). */
    private long jvmPid() throws IOException {
        JsonObject hello = new JsonObject();
        hello.addProperty("op", TrainerOps.HELLO);
        try {
            return call(hello).header().get("pid").getAsLong();
        } catch (WorkerException e) {
            close();
            throw new IOException("the confined worker did not start: " + e.getMessage() + " " + stderrTail(), e);
        }
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) throws WorkerException {
        JsonObject header = GSON.toJsonTree(fields).getAsJsonObject();
        header.addProperty("op", op);
        Frame answer = call(header, payload);
        Map<String, Object> values = GSON.fromJson(answer.header(), new TypeToken<Map<String, Object>>() { }.getType());
        return new WorkerAnswer(values, answer.payload());
    }

    /** Sends one request and waits for its answer. */
    synchronized Frame call(JsonObject header, float[] payload) throws WorkerException {
        String op = header.has("op") ? header.get("op").getAsString() : "?";
        Frame response;
        try {
            Frames.write(out, new Frame(header, payload));
            response = Frames.read(in);
        } catch (IOException e) {
            throw died(op);
        }
        if (!response.header().has("ok") || !response.header().get("ok").getAsBoolean()) {
            String error = response.header().has("error") ? response.header().get("error").getAsString() : "no reason given";
            throw new WorkerException(error);
        }
        return response;
    }

    Frame call(JsonObject header) throws WorkerException {
        return call(header, new float[0]);
    }

    @Override
    public void suspend() throws IOException {
        signal("STOP");
    }

    @Override
    public void resume() throws IOException {
        signal("CONT");
    }

    private void signal(String name) throws IOException {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -" + name + " " + pid + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted signalling the worker", e);
        }
    }

    /** Ends the worker now (SIGKILL; a stopped JVM would not act on SIGTERM). */
    @Override
    public void kill() {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The reason a worker died, from its exit status and the end of its stderr. */
    private WorkerDiedException died(String op) {
        int status;
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new WorkerDiedException("the worker stopped answering during '" + op + "' and was killed");
            }
            status = process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new WorkerDiedException("interrupted while the worker was ending during '" + op + "'");
        }
        String tail = stderrTail();
        // HotSpot writes its fatal-error report to the ErrorFile (and its summary to stdout, our
        // frame channel), so the crash log is the reliable sign of a native crash.
        Path crashLog = workDir.resolve("worker-crash-" + pid + ".log");
        String reason;
        if (Files.exists(crashLog)) {
            reason = "crashed in native code (ND4J/HDF5); crash log: " + crashLog.toAbsolutePath();
        } else if (tail.contains("OutOfMemoryError")) {
            reason = "ran out of memory (heap -Xmx" + heap + "): give the worker more memory or use smaller tasks";
        } else if (status == 3) {
            reason = "ran out of memory (heap -Xmx" + heap + ")";
        } else if (status == 134) {
            reason = "crashed in native code (ND4J/HDF5)";
        } else if (status > 128) {
            reason = "was killed by signal " + (status - 128);
        } else {
            reason = "exited with status " + status;
        }
        return new WorkerDiedException("the worker " + reason + " during '" + op + "'");
    }

    private void drainStderr() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null;) {
                synchronized (stderr) {
                    stderr.addLast(line);
                    if (stderr.size() > STDERR_LINES) {
                        stderr.removeFirst();
                    }
                }
            }
        } catch (IOException ended) {
            // the worker is gone
        }
    }

    /** The last lines the worker printed to stderr (for logs and crash reports). */
    public String stderrTail() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                JsonObject shutdown = new JsonObject();
                shutdown.addProperty("op", TrainerOps.SHUTDOWN);
                call(shutdown);
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (WorkerException e) {
                // it is going away either way
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.destroyForcibly();
    }
}
