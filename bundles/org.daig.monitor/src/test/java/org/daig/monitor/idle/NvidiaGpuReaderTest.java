package org.daig.monitor.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The nvidia-smi runs with a fake nvidia-smi (a shell script): in the background, with a timeout. */
@DisabledOnOs(OS.WINDOWS)
class NvidiaGpuReaderTest {

    @TempDir
    Path dir;

    private Path fakeNvidiaSmi(String body) throws Exception {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        assertTrue(script.toFile().setExecutable(true));
        return script;
    }

    /** Samples at a fixed (fake) time until the answer is there; a condition with a deadline, no fixed sleep. */
    private static NvidiaGpuReader.GpuUse readUntil(NvidiaGpuReader reader, long nowMillis, Predicate<Notes> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Notes notes = new Notes();
        while (System.nanoTime() < deadline) {
            notes = new Notes();
            NvidiaGpuReader.GpuUse use = reader.read(Set.of(ProcessHandle.current().pid()), nowMillis, notes);
            if (done.test(notes) || use.foreign()) {
                return use;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nvidia-smi's answer never arrived: " + notes);
    }

    @Test
    void anotherProcessOnTheGpuIsSeenAndOursIsNot() throws Exception {
        long self = ProcessHandle.current().pid();
        long other = ProcessHandle.current().parent().orElseThrow().pid();
        NvidiaGpuReader reader = new NvidiaGpuReader(fakeNvidiaSmi("echo '" + self + ", java'\necho '" + other + ", /usr/bin/python3'"), () -> false);
        try {
            NvidiaGpuReader.GpuUse first = reader.read(Set.of(self), 0, new Notes());
            assertFalse(first.foreign(), "the first run has only started");
            NvidiaGpuReader.GpuUse use = readUntil(reader, 100, notes -> false);
            assertTrue(use.foreign());
            assertEquals("python3, pid " + other, use.users());
        } finally {
            reader.close();
        }
    }

    @Test
    void aHungNvidiaSmiIsKilledAfterThreeSeconds() throws Exception {
        NvidiaGpuReader reader = new NvidiaGpuReader(fakeNvidiaSmi("exec sleep 30"), () -> false);
        try {
            reader.read(Set.of(), 0, new Notes());
            Notes notes = new Notes();
            reader.read(Set.of(), NvidiaGpuReader.TIMEOUT_MILLIS + 1, notes);
            assertEquals("nvidia-smi did not answer within 3 s", Notes.find(notes.toString(), Notes.GPU));
        } finally {
            reader.close();
        }
    }

    @Test
    void aFailingNvidiaSmiIsNoted() throws Exception {
        NvidiaGpuReader reader = new NvidiaGpuReader(fakeNvidiaSmi("exit 9"), () -> false);
        try {
            reader.read(Set.of(), 0, new Notes());
            readUntil(reader, 100, notes -> notes.toString().contains("exit 9"));
        } finally {
            reader.close();
        }
    }

    @Test
    void nvidiaSmiRunsAtMostEveryFiveSeconds() throws Exception {
        Path count = dir.resolve("count");
        NvidiaGpuReader reader = new NvidiaGpuReader(fakeNvidiaSmi("echo run >> '" + count + "'"), () -> false);
        try {
            reader.read(Set.of(), 0, new Notes());
            readUntil(reader, 100, notes -> lines(count) == 1); // the file exists as soon as the shell opens it, before the line
            reader.read(Set.of(), 4_900, new Notes());
            assertEquals(1, Files.readAllLines(count).size());
            reader.read(Set.of(), NvidiaGpuReader.INTERVAL_MILLIS, new Notes());
            readUntil(reader, NvidiaGpuReader.INTERVAL_MILLIS + 100, notes -> lines(count) == 2);
        } finally {
            reader.close();
        }
    }

    private static int lines(Path file) {
        try {
            return Files.readAllLines(file).size();
        } catch (Exception e) {
            return 0;
        }
    }
}
