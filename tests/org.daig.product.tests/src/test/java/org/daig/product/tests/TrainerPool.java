package org.daig.product.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Stream;

import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.WorkerException;
import org.daig.trainer.launcher.ProcessWorker;

/**
 * Trainer workers for simulated volunteers that train for real: the trainer runtime the products
 * ship, started as separate JVMs as a provider starts its worker. Each call has one worker to
 * itself; a worker keeps the last model it loaded.
 */
final class TrainerPool implements AutoCloseable {

    /** The trainer runtime: the trainer jar and its lib/ folder, as the build lays it out. */
    static Path runtime() {
        return Path.of(System.getProperty("daig.worker.dir",
                Path.of(System.getProperty("daig.root", "../..")).resolve("bundles/org.daig.trainer/target/worker-root/worker").toString()));
    }

    static boolean available() {
        return Files.isDirectory(runtime().resolve("lib"));
    }

    private static final class Slot {
        final ProcessWorker worker;
        final TrainerClient client;
        Path loaded;

        Slot(ProcessWorker worker) {
            this.worker = worker;
            this.client = new TrainerClient(worker);
        }
    }

    /** Work on one worker, with the model loaded. */
    interface Work<T> {
        T run(TrainerClient trainer) throws WorkerException, IOException;
    }

    private final List<Slot> all = new ArrayList<>();
    private final BlockingQueue<Slot> idle;

    TrainerPool(int workers, int threads, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        List<Path> classPath = new ArrayList<>();
        try (Stream<Path> top = Files.list(runtime()); Stream<Path> libs = Files.list(runtime().resolve("lib"))) {
            top.filter(p -> p.getFileName().toString().startsWith("org.daig.trainer") && p.toString().endsWith(".jar")).sorted()
                    .forEach(classPath::add);
            libs.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(classPath::add);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        idle = new ArrayBlockingQueue<>(workers);
        for (int i = 0; i < workers; i++) {
            Slot slot = new Slot(ProcessWorker.start(new ProcessWorker.Options(java, classPath, "1g", threads, false, workDir)));
            all.add(slot);
            idle.add(slot);
        }
    }

    /** Runs {@code work} on an idle worker with {@code model} (a canonical model file, or a Keras .h5 when not canonical) loaded. */
    <T> T use(Path model, boolean canonical, Work<T> work) throws Exception {
        Slot slot = idle.take();
        try {
            if (!model.equals(slot.loaded)) {
                slot.loaded = null;
                if (canonical) {
                    slot.client.loadCanonical(model);
                } else {
                    slot.client.load(model);
                }
                slot.loaded = model;
            }
            return work.run(slot.client);
        } finally {
            idle.add(slot);
        }
    }

    @Override
    public void close() {
        all.forEach(s -> s.worker.close());
    }
}
