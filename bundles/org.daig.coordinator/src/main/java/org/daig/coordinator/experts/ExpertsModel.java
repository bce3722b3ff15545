package org.daig.coordinator.experts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.daig.experts.ExpertGrid;
import org.daig.wire.VectorFile;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The whole model of an experts project as one file (the format of the trainer's
 * {@code ExpertsModelFile}: a {@code daig-experts.json} manifest, {@code bottom.npy}, {@code gate.npy},
 * {@code top.npy}, {@code experts/<uid>.npy}): the trainer's layers and gate from the file its trainer
 * uploaded, each expert from the newest checkpoint of the group that hosts it (or, for a group with
 * no checkpoint yet, from the trainer's file). Nothing here trusts the uploaded file: its manifest must
 * match the project, and every entry is read with a cap.
 */
final class ExpertsModel {

    static final String MANIFEST = "daig-experts.json";
    private static final int MOST_MANIFEST_BYTES = 1 << 20;
    /** Most bytes of one array entry: 2^28 float32 values and a header, as the trainer's reader allows. */
    private static final long MOST_ENTRY_BYTES = 4L * (1L << 28) + 4096;
    private static final Gson GSON = new Gson();

    private ExpertsModel() {
    }

    /**
     * The manifest of the trainer's file, checked against the project: format, grid, expert hidden
     * size and the mixture's width.
     *
     * @throws IOException saying what does not match (for the requestor: which setting and how to fix it)
     */
    static JsonObject check(Path trainerFile, ExpertsSpec spec) throws IOException {
        JsonObject m;
        try (ZipFile zip = new ZipFile(trainerFile.toFile())) {
            ZipEntry entry = zip.getEntry(MANIFEST);
            if (entry == null) {
                throw new IOException("not an experts model: the zip has no " + MANIFEST + " (save it with daig experts train --save)");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                byte[] bytes = in.readNBytes(MOST_MANIFEST_BYTES + 1);
                if (bytes.length > MOST_MANIFEST_BYTES) {
                    throw new IOException(MANIFEST + " is larger than " + MOST_MANIFEST_BYTES + " bytes");
                }
                m = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).getAsJsonObject();
            }
            for (String array : new String[] { "bottom.npy", "gate.npy", "top.npy" }) {
                if (zip.getEntry(array) == null) {
                    throw new IOException("not a whole experts model: the zip has no " + array);
                }
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new IOException(MANIFEST + " is not the JSON of an experts model: " + e.getMessage(), e);
        } catch (java.util.zip.ZipException e) {
            throw new IOException("not a zip file: " + e.getMessage(), e);
        }
        ExpertGrid grid = spec.expertGrid();
        int[] sizes = new int[grid.dimensions()];
        for (int d = 0; d < sizes.length; d++) {
            sizes[d] = grid.size(d);
        }
        String format = string(m, "format");
        if (!"daig-experts".equals(format)) {
            throw new IOException("format: '" + format + "' is not daig-experts");
        }
        if (!grid.prefix().equals(string(m, "gridPrefix")) || !Arrays.equals(sizes, ints(m, "gridSizes"))) {
            throw new IOException("grid: the file's is " + string(m, "gridPrefix") + " " + Arrays.toString(ints(m, "gridSizes"))
                    + ", the project's " + grid + ": train with the project's settings (daig experts train --project)");
        }
        int[] bottom = ints(m, "bottom");
        if (bottom == null || bottom.length == 0 || bottom[bottom.length - 1] != spec.width()) {
            throw new IOException("width: the file's mixture is " + (bottom == null || bottom.length == 0 ? "missing" : bottom[bottom.length - 1])
                    + " wide, the project's " + spec.width());
        }
        JsonElement hidden = m.get("expertHidden");
        if (hidden == null || !hidden.isJsonPrimitive() || hidden.getAsInt() != spec.hidden()) {
            throw new IOException("hidden: the file's experts have hidden size " + hidden + ", the project's " + spec.hidden());
        }
        return m;
    }

    /**
     * Writes the whole model to {@code out}: the trainer's layers, then every expert that a
     * checkpoint or the trainer's file has, in grid order.
     *
     * @param checkpoints each group's newest checkpoint file (groups without one are left out)
     */
    static void write(OutputStream out, Path trainerFile, ExpertsSpec spec, Map<Integer, Path> checkpoints) throws IOException {
        JsonObject manifest = check(trainerFile, spec);
        ExpertGrid grid = spec.expertGrid();
        long perExpert = spec.expertParameters();
        Map<String, float[]> fromCheckpoints = new LinkedHashMap<>();
        for (Map.Entry<Integer, Path> c : checkpoints.entrySet()) {
            long[] range = spec.groupCells(c.getKey());
            float[] values;
            try (InputStream in = Files.newInputStream(c.getValue())) {
                values = VectorFile.read(in, (range[1] - range[0]) * perExpert);
            }
            for (long cell = range[0]; cell < range[1]; cell++) {
                int from = Math.toIntExact((cell - range[0]) * perExpert);
                fromCheckpoints.put(grid.uid(cell).toString(), Arrays.copyOfRange(values, from, Math.toIntExact(from + perExpert)));
            }
        }
        try (ZipFile zip = new ZipFile(trainerFile.toFile())) {
            JsonArray experts = new JsonArray();
            for (long cell = 0; cell < grid.cells(); cell++) {
                String uid = grid.uid(cell).toString();
                if (fromCheckpoints.containsKey(uid) || zip.getEntry("experts/" + uid + ".npy") != null) {
                    experts.add(uid);
                }
            }
            manifest.add("experts", experts);
            ZipOutputStream z = new ZipOutputStream(out);
            z.putNextEntry(new ZipEntry(MANIFEST));
            z.write(GSON.toJson(manifest).getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
            for (String array : new String[] { "bottom.npy", "gate.npy", "top.npy" }) {
                copy(zip, array, z);
            }
            for (JsonElement e : experts) {
                String uid = e.getAsString();
                float[] values = fromCheckpoints.get(uid);
                if (values == null) {
                    copy(zip, "experts/" + uid + ".npy", z);
                } else {
                    z.putNextEntry(new ZipEntry("experts/" + uid + ".npy"));
                    VectorFile.write(z, values);
                    z.closeEntry();
                }
            }
            z.finish();
        }
    }

    /** Copies one entry, at most {@link #MOST_ENTRY_BYTES} of it. */
    private static void copy(ZipFile from, String name, ZipOutputStream to) throws IOException {
        to.putNextEntry(new ZipEntry(name));
        try (InputStream in = from.getInputStream(from.getEntry(name))) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0;) {
                total += n;
                if (total > MOST_ENTRY_BYTES) {
                    throw new IOException(name + " in the trainer's file is larger than " + MOST_ENTRY_BYTES + " bytes");
                }
                to.write(buffer, 0, n);
            }
        }
        to.closeEntry();
    }

    private static String string(JsonObject m, String field) {
        JsonElement e = m.get(field);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    private static int[] ints(JsonObject m, String field) {
        JsonElement e = m.get(field);
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() > 64) {
            return null;
        }
        int[] out = new int[e.getAsJsonArray().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = e.getAsJsonArray().get(i).getAsInt();
        }
        return out;
    }
}
