package org.daig.trainer.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/** Starts workers as separate JVMs on the trainer runtime's flat class path. */
@Component(configurationPid = WorkerLauncherConfig.PID)
@Designate(ocd = WorkerLauncherConfig.class)
public class ProcessWorkerLauncher implements WorkerLauncher {

    private volatile Path runtimeDir;
    private volatile Path java;
    private volatile Path workDir;
    private volatile Path dataDir;
    private volatile boolean sandbox;

    /** For Declarative Services, which configures the launcher on activation. */
    public ProcessWorkerLauncher() {
    }

    /**
     * A launcher outside OSGi (the {@code daig} command line): workers from the trainer runtime in
     * {@code runtimeDir} (the trainer jar and its lib/ folder), run by {@code java}, with their
     * JavaCPP cache and crash logs in {@code workDir}.
     */
    public static ProcessWorkerLauncher of(Path runtimeDir, Path java, Path workDir) {
        ProcessWorkerLauncher launcher = new ProcessWorkerLauncher();
        launcher.runtimeDir = runtimeDir;
        launcher.java = java;
        launcher.workDir = workDir;
        return launcher;
    }

    @Activate
    @Modified
    void configure(BundleContext context, WorkerLauncherConfig config) {
        String runtime = !config.runtimeDir().isBlank() ? config.runtimeDir() : context.getProperty("daig.worker.dir");
        runtimeDir = Path.of(runtime == null || runtime.isBlank() ? "worker" : runtime);
        java = Path.of(config.javaHome().isBlank() ? System.getProperty("java.home") : config.javaHome(), "bin", "java");
        String data = context.getProperty("daig.data.dir");
        workDir = !config.workDir().isBlank() ? Path.of(config.workDir()) : Path.of(data == null ? "data" : data, "worker");
        dataDir = Path.of(data == null ? "data" : data);
        sandbox = !"off".equals(config.sandbox().trim());
    }

    @Override
    public Worker start(WorkerLimits limits) throws IOException {
        if (!Files.isExecutable(java)) {
            throw new IOException("no Java at " + java + ": set javaHome in " + WorkerLauncherConfig.PID);
        }
        return ProcessWorker.start(new ProcessWorker.Options(java, classPath(), limits.heap(), Math.max(1, limits.threads()),
                limits.lowPriority(), workDir));
    }

    @Override
    public Worker startConfined(WorkerLimits limits) throws IOException {
        if (!Files.isExecutable(java)) {
            throw new IOException("no Java at " + java + ": set javaHome in " + WorkerLauncherConfig.PID);
        }
        List<String> confinement = sandbox ? Sandbox.available().map(s -> s.command(List.of(dataDir, workDir))).orElse(List.of()) : List.of();
        return ProcessWorker.start(new ProcessWorker.Options(java, classPath(), limits.heap(), Math.max(1, limits.threads()),
                limits.lowPriority(), workDir, confinement));
    }

    /** The trainer jar(s) in the runtime folder and everything in its lib/ folder. */
    List<Path> classPath() throws IOException {
        Path lib = runtimeDir.resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IOException("the trainer runtime is missing: no " + lib.toAbsolutePath() + " (set runtimeDir in "
                    + WorkerLauncherConfig.PID + ", or build it with ./mvnw -B package"
                    + " -pl target-platform,bundles/org.daig.api,bundles/org.daig.trainer.launcher,bundles/org.daig.trainer)");
        }
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> top = Files.list(runtimeDir); Stream<Path> libs = Files.list(lib)) {
            top.filter(p -> p.getFileName().toString().startsWith("org.daig.trainer") && p.toString().endsWith(".jar"))
                    .sorted().forEach(entries::add);
            libs.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(entries::add);
        }
        return entries;
    }
}
