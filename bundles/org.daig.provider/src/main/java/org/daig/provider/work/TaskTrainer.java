package org.daig.provider.work;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.daig.api.task.Task;
import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.WorkerException;
import org.daig.blob.client.BlobCache;
import org.daig.blob.client.BlobClient;
import org.daig.wire.UpdateCodec;
import org.daig.wire.VectorFile;

/**
 * One task's work on this machine: its blobs come through the download cache (models and shards
 * are reused by the next tasks; parameters may be rebuilt from compressed differences), it
 * trains in the warm worker, and the delta goes up as a blob.
 * Every blob request carries the device token (the coordinator lets a provider read only the
 * blobs of the tasks it holds, and write only results).
 */
final class TaskTrainer {

    /** A task's inputs, on disk. */
    record Inputs(Path model, Path x, Path y, Path params) {
    }

    private final Path cacheDir;
    private final long cacheBytes;
    private final Path tmpDir;
    private final WarmWorker worker;
    private final Supplier<String> deviceToken;
    /** One cache per coordinator blob endpoint; all share the directory and its size cap. */
    private final Map<String, BlobCache> caches = new ConcurrentHashMap<>();
    /** Per project, what compressed updates have not delivered yet (kept in memory across its tasks). */
    private final Map<String, UpdateCodec.Residual> residuals = new ConcurrentHashMap<>();
    /** Parameters from the cache, or rebuilt from held ones and compressed differences, or downloaded. */
    private final SentParams sentParams;

    TaskTrainer(Path cacheDir, long cacheBytes, Path tmpDir, WarmWorker worker) {
        this(cacheDir, cacheBytes, tmpDir, worker, () -> null);
    }

    /** @param deviceToken this provider's device token, asked before every blob request (null: none) */
    TaskTrainer(Path cacheDir, long cacheBytes, Path tmpDir, WarmWorker worker, Supplier<String> deviceToken) {
        this.cacheDir = cacheDir;
        this.cacheBytes = cacheBytes;
        this.tmpDir = tmpDir;
        this.worker = worker;
        this.deviceToken = deviceToken;
        this.sentParams = new SentParams(tmpDir);
    }

    Inputs download(Task task) throws IOException {
        BlobCache cache = cache(task.blobBaseUrl());
        Path model = cache.get(task.model());
        Path x = cache.get(task.x());
        Path y = cache.get(task.y());
        return new Inputs(model, x, y, sentParams.get(task, cache));
    }

    /**
     * Trains in the warm worker, from the task's parameters; the result carries the update. The
     * parameters file is read only after the model is loaded, so that a header announcing more
     * values than the model has is refused before anything is allocated for them.
     */
    TrainerClient.TrainResult train(Task task, Inputs inputs) throws WorkerException, IOException {
        TrainerClient trainer = new TrainerClient(worker.get());
        // the canonical form only: the worker refuses an HDF5 file unread, so a stranger's .h5 never meets native code here
        TrainerClient.LoadedModel model = trainer.loadCanonical(inputs.model());
        float[] params;
        try (InputStream in = Files.newInputStream(inputs.params())) {
            params = VectorFile.read(in, model.params());
        } catch (IOException e) {
            throw new IOException("the parameters of " + task.projectId() + " version " + task.version() + " "
                    + e.getMessage(), e);
        }
        return trainer.train(new TrainerClient.TrainRequest(TrainerClient.DataFiles.all(inputs.x(), inputs.y()), task.epochs(),
                task.batchSize(), task.seed()), params);
    }

    /**
     * Uploads the update as the task's compression says (none: a .npy blob), with error feedback:
     * what this encoding drops is added to this project's next update. Returns the blob id.
     */
    String upload(Task task, float[] delta) throws IOException {
        UpdateCodec.Compression compression;
        try {
            compression = UpdateCodec.Compression.parse(task.compression());
        } catch (IllegalArgumentException e) {
            throw new IOException("the coordinator asked for " + e.getMessage());
        }
        Path file = Files.createTempFile(tmpDir, "delta", compression.none() ? ".npy" : ".dup");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                if (compression.none()) {
                    VectorFile.write(out, delta);
                } else {
                    out.write(residuals.computeIfAbsent(task.projectId(), p -> new UpdateCodec.Residual()).encode(delta, compression));
                }
            }
            return new BlobClient(URI.create(task.blobBaseUrl()), deviceToken).upload(file, n -> { });
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private BlobCache cache(String baseUrl) throws IOException {
        if (baseUrl == null) {
            throw new IOException("the coordinator did not say where its blobs are (no HTTP endpoint)");
        }
        BlobCache cache = caches.get(baseUrl);
        if (cache == null) {
            cache = new BlobCache(cacheDir, cacheBytes, new BlobClient(URI.create(baseUrl), deviceToken));
            caches.put(baseUrl, cache);
        }
        return cache;
    }
}
