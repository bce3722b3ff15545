package org.daig.monitor.idle;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Whether another process computes on an NVIDIA GPU, from
 * {@code nvidia-smi --query-compute-apps=pid,process_name --format=csv,noheader}. nvidia-smi is
 * slow (100 ms to seconds), so it runs at most every {@value #INTERVAL_MILLIS} ms, in the
 * background: each sample only looks whether the last run has finished, and kills it after
 * {@value #TIMEOUT_MILLIS} ms. The answer is therefore up to a few seconds old.
 *
 * <p>Our own processes (this JVM and its descendants) are left out. So are process ids that are
 * not visible here: inside a container nvidia-smi may show host process ids, our own workers
 * among them, and counting those would make the provider pause itself for good.
 *
 * <p>Without nvidia-smi this is not an NVIDIA machine, and there is nothing to note — unless OSHI
 * lists an NVIDIA card, then the note says nvidia-smi is missing.
 */
final class NvidiaGpuReader {

    static final long INTERVAL_MILLIS = 5_000;
    static final long TIMEOUT_MILLIS = 3_000;

    /** What the last finished run found. */
    record GpuUse(boolean foreign, String users, String note) {
        static final GpuUse NONE = new GpuUse(false, "", null);
    }

    /** One line of nvidia-smi's output. */
    record ComputeApp(long pid, String name) {
    }

    private final Path executable;
    private final BooleanSupplier hasNvidiaCard;
    private Process running;
    private Path output;
    private long startedAt;
    private long lastStart = Long.MIN_VALUE / 2;
    private GpuUse last = GpuUse.NONE;
    private Boolean nvidiaCard;

    /**
     * @param executable    nvidia-smi, or null when there is none
     * @param hasNvidiaCard asked once, only without nvidia-smi: whether OSHI lists an NVIDIA card
     */
    NvidiaGpuReader(Path executable, BooleanSupplier hasNvidiaCard) {
        this.executable = executable;
        this.hasNvidiaCard = hasNvidiaCard;
    }

    GpuUse read(Set<Long> ownPids, long nowMillis, Notes notes) {
        if (executable == null) {
            if (nvidiaCard == null) {
                nvidiaCard = hasNvidiaCard.getAsBoolean();
            }
            if (nvidiaCard) {
                notes.add(Notes.GPU, "nvidia-smi not found, so GPU use by other programs is not seen");
            }
            return GpuUse.NONE;
        }
        if (running != null) {
            collect(ownPids, nowMillis);
        }
        if (running == null && nowMillis - lastStart >= INTERVAL_MILLIS) {
            start(nowMillis);
        }
        if (last.note() != null) {
            notes.add(Notes.GPU, last.note());
        }
        return last;
    }

    private void start(long nowMillis) {
        lastStart = nowMillis;
        try {
            if (output == null) {
                output = Files.createTempFile("daig-nvidia-smi", ".csv");
                output.toFile().deleteOnExit();
            }
            // Output into a file: a pipe nobody reads until the end could fill up and stall nvidia-smi.
            running = new ProcessBuilder(executable.toString(), "--query-compute-apps=pid,process_name", "--format=csv,noheader")
                    .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            startedAt = nowMillis;
        } catch (IOException | RuntimeException e) {
            last = new GpuUse(false, "", "cannot run nvidia-smi (" + e.getMessage() + ")");
        }
    }

    private void collect(Set<Long> ownPids, long nowMillis) {
        if (running.isAlive()) {
            if (nowMillis - startedAt > TIMEOUT_MILLIS) {
                running.destroyForcibly();
                running = null;
                last = new GpuUse(false, "", "nvidia-smi did not answer within " + TIMEOUT_MILLIS / 1000 + " s");
            }
            return;
        }
        int exit = running.exitValue();
        running = null;
        if (exit != 0) {
            last = new GpuUse(false, "", "nvidia-smi failed (exit " + exit + ")");
            return;
        }
        try {
            last = foreignUse(parse(Files.readString(output, StandardCharsets.UTF_8)), ownPids);
        } catch (IOException e) {
            last = new GpuUse(false, "", "cannot read nvidia-smi's output (" + e.getMessage() + ")");
        }
    }

    /** The compute apps listed by nvidia-smi; lines without a numeric pid (e.g. "[N/A]") are kept with pid -1. */
    static List<ComputeApp> parse(String csv) {
        List<ComputeApp> apps = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            if (line.isBlank() || line.startsWith("No running")) {
                continue;
            }
            int comma = line.indexOf(',');
            String pid = (comma < 0 ? line : line.substring(0, comma)).trim();
            String name = comma < 0 ? "" : line.substring(comma + 1).trim();
            long number;
            try {
                number = Long.parseLong(pid);
            } catch (NumberFormatException e) {
                number = -1;
            }
            apps.add(new ComputeApp(number, shortName(name)));
        }
        return apps;
    }

    /** Which of the apps are foreign: not ours, and visible as a process here. */
    static GpuUse foreignUse(List<ComputeApp> apps, Set<Long> ownPids) {
        List<String> users = new ArrayList<>();
        List<String> unseen = new ArrayList<>();
        for (ComputeApp app : apps) {
            if (ownPids.contains(app.pid())) {
                continue;
            }
            if (app.pid() < 0 || ProcessHandle.of(app.pid()).isEmpty()) {
                unseen.add(app.name() + (app.pid() < 0 ? "" : ", pid " + app.pid()));
            } else {
                users.add(app.name() + ", pid " + app.pid());
            }
        }
        String note = unseen.isEmpty() ? null
                : "not counted, process not visible here (container?): " + String.join(" / ", unseen);
        return new GpuUse(!users.isEmpty(), String.join(" / ", users), note);
    }

    private static String shortName(String processName) {
        String name = processName.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        return name.isEmpty() ? "unknown program" : name;
    }

    /** nvidia-smi on the PATH, or where the Windows driver puts it; null if there is none. */
    static Path find(String pathVariable, boolean windows) {
        String exe = windows ? "nvidia-smi.exe" : "nvidia-smi";
        List<String> dirs = new ArrayList<>();
        if (pathVariable != null) {
            dirs.addAll(List.of(pathVariable.split(File.pathSeparator)));
        }
        if (windows) {
            String root = System.getenv().getOrDefault("SystemRoot", "C:\\Windows");
            dirs.add(root + "\\System32");
            dirs.add("C:\\Program Files\\NVIDIA Corporation\\NVSMI");
        } else {
            dirs.add("/usr/bin");
            dirs.add("/usr/local/bin");
        }
        for (String dir : dirs) {
            if (dir.isBlank()) {
                continue;
            }
            try {
                Path candidate = Path.of(dir.trim(), exe);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            } catch (RuntimeException e) {
                // a malformed PATH entry
            }
        }
        return null;
    }

    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    void close() {
        if (running != null) {
            running.destroyForcibly();
            running = null;
        }
        if (output != null) {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // deleteOnExit removes it later
            }
        }
    }
}
