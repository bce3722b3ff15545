package org.daig.trainer.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.daig.api.trainer.Worker;
import org.daig.trainer.launcher.ProcessWorker;
import org.daig.trainer.launcher.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bubblewrap sandbox workers for strangers' input run in, for real: outside the writable
 * folder nothing can be written, the network (even this machine's loopback) is unreachable, and a
 * worker JVM inside it answers and can be paused by its own pid.
 */
class SandboxTest {

    @TempDir
    Path dir;

    private static Sandbox sandbox() {
        Optional<Sandbox> sandbox = Sandbox.available();
        assumeTrue(sandbox.isPresent(), "bubblewrap (/usr/bin/bwrap) is not installed or cannot make namespaces here: "
                + "apt-get install bubblewrap (./daig test installs it)");
        return sandbox.get();
    }

    @Test
    void writesOnlyInsideTheDataFolderAndHasNoNetwork() throws Exception {
        Path writable = Files.createDirectories(dir.resolve("data"));
        Path outside = dir.resolve("outside.txt");
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String script = "echo in > " + writable.resolve("in.txt") + "; echo out > " + outside + " 2>/dev/null; "
                    + "(exec 3<>/dev/tcp/127.0.0.1/" + listener.getLocalPort() + ") 2>/dev/null && echo connected || echo no-network";
            List<String> command = new ArrayList<>(sandbox().command(List.of(writable)));
            command.addAll(List.of("/bin/bash", "-c", script));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertTrue(output.contains("no-network"), "the host's loopback port is out of reach: " + output);
        }
        assertEquals("in", Files.readString(writable.resolve("in.txt")).trim(), "the data folder is writable");
        assertFalse(Files.exists(outside), "nothing is written outside it");
    }

    @Test
    void aConfinedWorkerAnswersAndIsPausedByItsOwnPid() throws Exception {
        Sandbox sandbox = sandbox();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> entries = Arrays.stream(classPath.split(File.pathSeparator)).map(Path::of).toList();
        Path work = dir.resolve("worker");
        try (Worker worker = ProcessWorker.start(new ProcessWorker.Options(Path.of(System.getProperty("java.home"), "bin", "java"),
                entries, "512m", 1, true, work, sandbox.command(List.of(dir))))) {
            long reported = (long) worker.call("hello", Map.of(), new float[0]).number("pid");
            assertEquals(reported, worker.pid(), "signals go to the JVM, not to bubblewrap");
            ProcessHandle jvm = ProcessHandle.of(worker.pid()).orElseThrow();
            assertNotEquals("bwrap", jvm.info().command().map(c -> Path.of(c).getFileName().toString()).orElse(""));
            worker.suspend();
            worker.resume();
            assertEquals(reported, (long) worker.call("hello", Map.of(), new float[0]).number("pid"), "it answers after a pause");
        }
    }

    /** The provider and the coordinator start workers from threads that end; the worker must outlive them. */
    @Test
    void aConfinedWorkerOutlivesTheThreadThatStartedIt() throws Exception {
        Sandbox sandbox = sandbox();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> entries = Arrays.stream(classPath.split(File.pathSeparator)).map(Path::of).toList();
        Worker[] started = new Worker[1];
        Exception[] failed = new Exception[1];
        Thread starter = new Thread(() -> {
            try {
                started[0] = ProcessWorker.start(new ProcessWorker.Options(Path.of(System.getProperty("java.home"), "bin", "java"),
                        entries, "512m", 1, false, dir.resolve("worker"), sandbox.command(List.of(dir))));
            } catch (Exception e) {
                failed[0] = e;
            }
        });
        starter.start();
        starter.join();
        if (failed[0] != null) {
            throw failed[0];
        }
        try (Worker worker = started[0]) {
            assertEquals(worker.pid(), (long) worker.call("hello", Map.of(), new float[0]).number("pid"), "still answering");
            assertTrue(worker.isAlive());
        }
    }
}
