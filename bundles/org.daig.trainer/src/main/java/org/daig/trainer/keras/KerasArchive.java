package org.daig.trainer.keras;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.daig.trainer.TrainerException;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A Keras 3 {@code .keras} file: a zip of config.json (the model and its compile_config),
 * metadata.json and model.weights.h5. Read defensively, as a stranger's upload: at most
 * {@link Limits#entries} entries, JSON parts of at most {@link Limits#jsonBytes} each, and at most
 * {@link Limits#totalBytes} inflated in all, counted as the bytes come out rather than trusted from
 * the zip's headers (a zip bomb stops at the cap). The weights are extracted to a temporary file
 * the caller deletes with {@link #close()}.
 */
public final class KerasArchive implements AutoCloseable {

    /** Caps on what an archive may hold. */
    public record Limits(int entries, long jsonBytes, long totalBytes) {
        /** Real archives hold 3 entries (a few more with assets); weights beyond 4 GiB are no volunteer's task. */
        public static final Limits DEFAULT = new Limits(256, 16L << 20, 4L << 30);
    }

    private final Path file;
    private final JsonObject config;
    private final String kerasVersion;
    private final Path weights;

    private KerasArchive(Path file, JsonObject config, String kerasVersion, Path weights) {
        this.file = file;
        this.config = config;
        this.kerasVersion = kerasVersion;
        this.weights = weights;
    }

    public static KerasArchive open(Path file, Path tempDir) throws TrainerException {
        return open(file, tempDir, Limits.DEFAULT);
    }

    public static KerasArchive open(Path file, Path tempDir, Limits limits) throws TrainerException {
        String again = ". Save it again with model.save('model.keras')";
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.size() > limits.entries()) {
                throw new TrainerException(file + ": holds " + zip.size() + " entries, more than the " + limits.entries()
                        + " a Keras archive may have; it is not a .keras model" + again);
            }
            long[] budget = { limits.totalBytes() };
            JsonObject config = null;
            String version = null;
            Path weights = null;
            try {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                    ZipEntry entry = e.nextElement();
                    switch (entry.getName()) {
                    case "config.json" -> config = json(file, zip, entry, limits, budget);
                    case "metadata.json" -> {
                        JsonObject metadata = json(file, zip, entry, limits, budget);
                        version = metadata.has("keras_version") ? metadata.get("keras_version").getAsString() : null;
                    }
                    case "model.weights.h5" -> {
                        weights = Files.createTempFile(tempDir, "weights-", ".h5");
                        try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(weights)) {
                            copy(file, entry, in, out, budget, limits);
                        }
                    }
                    default -> {
                        // assets (e.g. a vocabulary) are not used by the layers DAIG imports
                    }
                    }
                }
                if (config == null || weights == null) {
                    throw new TrainerException(file + ": is a zip without " + (config == null ? "config.json" : "model.weights.h5")
                            + ", so it is not a Keras .keras model" + again);
                }
                return new KerasArchive(file, config, version, weights);
            } catch (TrainerException | IOException | RuntimeException failure) {
                deleteQuietly(weights);
                throw failure;
            }
        } catch (ZipException e) {
            throw new TrainerException(file + ": is not a readable zip (" + e.getMessage() + ")" + again, e);
        } catch (IOException e) {
            throw new TrainerException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static JsonObject json(Path file, ZipFile zip, ZipEntry entry, Limits limits, long[] budget) throws TrainerException, IOException {
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes((int) Math.min(limits.jsonBytes() + 1, Integer.MAX_VALUE - 8));
        }
        if (bytes.length > limits.jsonBytes()) {
            throw new TrainerException(file + ": its " + entry.getName() + " inflates to more than " + limits.jsonBytes()
                    + " bytes; a Keras configuration is far smaller, so the archive is refused");
        }
        budget[0] -= bytes.length;
        try {
            JsonElement parsed = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new IllegalStateException("not a JSON object");
            }
            return parsed.getAsJsonObject();
        } catch (RuntimeException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new TrainerException(file + ": its " + entry.getName() + " is not valid JSON (" + reason
                    + "); save the model again with model.save('model.keras')", e);
        }
    }

    private static void copy(Path file, ZipEntry entry, InputStream in, OutputStream out, long[] budget, Limits limits)
            throws TrainerException, IOException {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0;) {
            budget[0] -= n;
            if (budget[0] < 0) {
                throw new TrainerException(file + ": " + entry.getName() + " inflates to more than " + limits.totalBytes()
                        + " bytes, the most DAIG unpacks from a .keras archive; the archive is refused");
            }
            out.write(buffer, 0, n);
        }
    }

    public Path file() {
        return file;
    }

    /** config.json: the model (class_name, config) and, when compiled, its compile_config. */
    public JsonObject config() {
        return config.deepCopy();
    }

    /** From metadata.json; null when absent. */
    public String kerasVersion() {
        return kerasVersion;
    }

    /** The extracted model.weights.h5. */
    public Path weights() {
        return weights;
    }

    @Override
    public void close() {
        deleteQuietly(weights);
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a temporary file; the directory is the caller's
            }
        }
    }
}
