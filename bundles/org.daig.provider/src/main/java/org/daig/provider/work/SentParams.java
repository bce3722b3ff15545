package org.daig.provider.work;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.daig.api.task.Task;
import org.daig.blob.client.BlobCache;
import org.daig.wire.ParamsDiff;
import org.daig.wire.UpdateCodec;
import org.daig.wire.VectorFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's parameters: from the cache, else rebuilt from the parameters this provider holds of an
 * older version plus the compressed differences the task names, else downloaded whole
 * (docs/protocol.md, "Parameters as differences"). A rebuilt file counts only if its SHA-256 is
 * the task's parameters blob id; anything else falls back to the download.
 */
final class SentParams {

    private static final Logger LOG = LoggerFactory.getLogger(SentParams.class);

    /** A version's parameters as sent, held in the cache. */
    private record Held(int version, String blob) {
    }

    /** Per project, the newest version whose parameters this provider got. */
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Path tmpDir;

    SentParams(Path tmpDir) {
        this.tmpDir = tmpDir;
    }

    Path get(Task task, BlobCache cache) throws IOException {
        Path file = cache.cached(task.params());
        if (file == null) {
            file = rebuild(task, cache);
        }
        if (file == null) {
            file = cache.get(task.params());
            if (task.paramsDiffs() != null) {
                LOG.info("Parameters of project {} version {} downloaded whole: {} bytes", task.projectId(), task.version(), Files.size(file));
            }
        }
        Held before = held.get(task.projectId());
        if (before == null || before.version() <= task.version()) {
            held.put(task.projectId(), new Held(task.version(), task.params()));
        }
        return file;
    }

    /** The task's parameters rebuilt from held ones and its differences, or null when they do not lead there. */
    private Path rebuild(Task task, BlobCache cache) {
        List<String> diffs = task.paramsDiffs() == null ? List.of() : task.paramsDiffs();
        Held from = held.get(task.projectId());
        int first = task.version() - diffs.size(); // diffs.get(0) takes version `first` to first + 1
        if (from == null || diffs.isEmpty() || diffs.size() > ParamsDiff.MAX_CHAIN || from.version() < first
                || from.version() >= task.version()) {
            return null;
        }
        Path base = cache.cached(from.blob());
        if (base == null) {
            return null;
        }
        Path made = null;
        try {
            UpdateCodec.Compression compression = ParamsDiff.encodingFor(UpdateCodec.Compression.parse(task.compression()));
            float[] values = read(base);
            long bytes = 0;
            for (String diff : diffs.subList(from.version() - first, diffs.size())) {
                Path encoded = cache.get(diff);
                long size = Files.size(encoded);
                if (size > compression.maxBytes(values.length)) {
                    throw new IOException("difference " + diff + " has " + size + " bytes, more than its encoding allows");
                }
                ParamsDiff.apply(values, Files.readAllBytes(encoded), compression);
                bytes += size;
            }
            made = Files.createTempFile(tmpDir, "params", ".npy");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(made), 1 << 16)) {
                VectorFile.write(out, values);
            }
            Path file = cache.put(task.params(), made);
            LOG.info("Parameters of project {} version {} rebuilt from version {} and {} difference(s): {} bytes instead of {}",
                    task.projectId(), task.version(), from.version(), task.version() - from.version(), bytes,
                    VectorFile.fileSize(values.length));
            return file;
        } catch (IOException | RuntimeException e) {
            LOG.info("Parameters of project {} version {} could not be rebuilt from version {} ({}); downloading them whole",
                    task.projectId(), task.version(), from.version(), e.getMessage());
            return null;
        } finally {
            deleteQuietly(made);
        }
    }

    /** A cached vector, its length bounded by its file's size (a header claiming more is refused unread). */
    private static float[] read(Path file) throws IOException {
        long size = Files.size(file);
        long length = Math.max(0, (size - 128) / 4);
        if (VectorFile.fileSize(length) != size) {
            throw new IOException("not a float32 vector of " + size + " bytes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return VectorFile.read(in, length);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a temporary file: the next start's clean-up takes it
        }
    }
}
