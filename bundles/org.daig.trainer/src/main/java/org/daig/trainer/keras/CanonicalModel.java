package org.daig.trainer.keras;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.daig.trainer.TrainerException;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The model as the coordinator hands it to providers: one JSON document, {@value #FORMAT}, holding
 * DL4J's own configuration of the imported network plus the few {@link ModelFacts} training needs.
 * The weights travel separately as raw floats. A provider therefore parses only JSON and
 * little-endian floats — never the requestor's HDF5 file, whose parser is native code.
 */
public final class CanonicalModel {

    public static final String FORMAT = "daig-model/1";

    /** Larger than any DL4J configuration of a model DAIG can train; a bigger file is refused before it is read. */
    static final long MAX_BYTES = 16L << 20;

    private CanonicalModel() {
    }

    public static void write(TrainableModel model, Path file) throws IOException {
        ModelFacts facts = model.facts();
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("sequential", facts.isSequential());
        root.addProperty("loss", facts.lossName());
        root.addProperty("kerasVersion", facts.kerasVersion());
        root.addProperty("modelClass", facts.modelClass());
        if (facts.optimizerName() != null) {
            root.addProperty("optimizer", facts.optimizerName());
        }
        if (facts.inputShape() != null) {
            JsonArray shape = new JsonArray();
            for (long d : facts.inputShape()) {
                shape.add(d);
            }
            root.add("inputShape", shape);
        }
        root.addProperty("params", model.numParams());
        root.addProperty("dl4j", model.configurationJson());
        Files.writeString(file, root.toString(), StandardCharsets.UTF_8);
    }

    /**
     * Reads a canonical model. Anything else — an HDF5 file above all — is refused from its first
     * bytes, before any parser sees it.
     */
    public static Facts read(Path file) throws TrainerException {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new TrainerException(file + ": " + size + " bytes is too large for a model configuration (at most " + MAX_BYTES + ")");
            }
            byte[] start = new byte[8];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(start, 0, start.length);
            }
            String head = new String(start, 0, n, StandardCharsets.ISO_8859_1);
            if (!head.stripLeading().startsWith("{")) {
                throw new TrainerException(file + ": is not a canonical model (" + FORMAT + ")"
                        + (head.startsWith("\u0089HDF") ? "; it is an HDF5 file, which providers never parse" : "")
                        + ". The coordinator sends its canonical form of each project's model; update the coordinator.");
            }
            JsonObject root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            if (!FORMAT.equals(string(root, "format"))) {
                throw new TrainerException(file + ": format '" + string(root, "format") + "' is not " + FORMAT);
            }
            return new Facts(root);
        } catch (IOException e) {
            throw new TrainerException(file + ": cannot be read: " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new TrainerException(file + ": is not valid " + FORMAT + " JSON: " + e.getMessage(), e);
        }
    }

    private static String string(JsonObject object, String key) {
        JsonElement value = object.get(key);
        return value == null || !value.isJsonPrimitive() ? null : value.getAsString();
    }

    /** The facts and DL4J configuration read from a canonical model. */
    public static final class Facts implements ModelFacts {

        private final JsonObject root;

        Facts(JsonObject root) {
            this.root = root;
        }

        /** DL4J's JSON configuration of the network. */
        public String dl4jConfiguration() throws TrainerException {
            String json = string(root, "dl4j");
            if (json == null) {
                throw new TrainerException("the canonical model has no 'dl4j' configuration");
            }
            return json;
        }

        /** The parameter count the configuration must produce. */
        public long params() {
            JsonElement value = root.get("params");
            return value == null || !value.isJsonPrimitive() ? -1 : value.getAsLong();
        }

        @Override
        public long[] inputShape() {
            JsonElement shape = root.get("inputShape");
            if (shape == null || !shape.isJsonArray()) {
                return null;
            }
            JsonArray dims = shape.getAsJsonArray();
            long[] result = new long[dims.size()];
            for (int i = 0; i < result.length; i++) {
                result[i] = dims.get(i).getAsLong();
            }
            return result;
        }

        @Override
        public String lossName() {
            return string(root, "loss");
        }

        @Override
        public boolean isSequential() {
            JsonElement value = root.get("sequential");
            return value != null && value.isJsonPrimitive() && value.getAsBoolean();
        }

        @Override
        public String kerasVersion() {
            return string(root, "kerasVersion");
        }

        @Override
        public String modelClass() {
            return string(root, "modelClass");
        }

        @Override
        public String optimizerName() {
            return string(root, "optimizer");
        }
    }
}
