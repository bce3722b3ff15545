package org.daig.trainer.keras;

import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.daig.trainer.keras.Keras3Config.KerasFormatException;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * How a model is trained: its loss, optimizer and learning rate, from the file's training or
 * compile configuration, or named by the requestor ({@code --loss}, {@code --optimizer},
 * {@code --lr}) when the model was saved without them or should train differently. Produces the
 * Keras 2 training_config Deeplearning4j's importer reads. Null fields mean "as the file says".
 */
public record CompileSettings(String loss, String optimizer, Double learningRate) {

    public static final CompileSettings FROM_FILE = new CompileSettings(null, null, null);

    /** Loss names and aliases (Keras 2 and 3, functions and classes) to the names DL4J 1.0.0-M2.1's import maps. */
    private static final Map<String, String> LOSSES = Map.ofEntries(Map.entry("mean_squared_error", "mean_squared_error"),
            Map.entry("mse", "mean_squared_error"), Map.entry("meansquarederror", "mean_squared_error"),
            Map.entry("mean_absolute_error", "mean_absolute_error"), Map.entry("mae", "mean_absolute_error"),
            Map.entry("meanabsoluteerror", "mean_absolute_error"),
            Map.entry("mean_absolute_percentage_error", "mean_absolute_percentage_error"),
            Map.entry("mape", "mean_absolute_percentage_error"), Map.entry("meanabsolutepercentageerror", "mean_absolute_percentage_error"),
            Map.entry("mean_squared_logarithmic_error", "mean_squared_logarithmic_error"),
            Map.entry("msle", "mean_squared_logarithmic_error"), Map.entry("meansquaredlogarithmicerror", "mean_squared_logarithmic_error"),
            Map.entry("binary_crossentropy", "binary_crossentropy"), Map.entry("binarycrossentropy", "binary_crossentropy"),
            Map.entry("categorical_crossentropy", "categorical_crossentropy"),
            Map.entry("categoricalcrossentropy", "categorical_crossentropy"),
            Map.entry("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
            Map.entry("sparsecategoricalcrossentropy", "sparse_categorical_crossentropy"), Map.entry("hinge", "hinge"),
            Map.entry("squared_hinge", "squared_hinge"), Map.entry("squaredhinge", "squared_hinge"),
            Map.entry("kullback_leibler_divergence", "kullback_leibler_divergence"), Map.entry("kld", "kullback_leibler_divergence"),
            Map.entry("kl_divergence", "kullback_leibler_divergence"), Map.entry("kldivergence", "kullback_leibler_divergence"),
            Map.entry("poisson", "poisson"), Map.entry("cosine_proximity", "cosine_proximity"),
            Map.entry("cosine_similarity", "cosine_proximity"), Map.entry("cosinesimilarity", "cosine_proximity"));
    /** Keras optimizer class names (any case) to DL4J-importable ones; AdamW trains as Adam plus decoupled weight decay. */
    private static final Map<String, String> OPTIMIZERS = Map.of("sgd", "SGD", "adam", "Adam", "adamw", "AdamW", "adamax", "Adamax",
            "adadelta", "Adadelta", "adagrad", "Adagrad", "rmsprop", "RMSprop", "nadam", "Nadam");
    /** Keras's defaults, which Keras 2 files always wrote out and DL4J's importer expects. */
    private static final Map<String, Double> DEFAULT_RATES = Map.of("SGD", 0.01, "Adadelta", 0.001, "Adagrad", 0.001);

    /** Every loss a model may be trained with, as users may write it. */
    public static TreeSet<String> supportedLosses() {
        return new TreeSet<>(LOSSES.values());
    }

    public boolean isEmpty() {
        return loss == null && optimizer == null && learningRate == null;
    }

    /** The DL4J-importable name of a loss as a user or a file writes it, or null if unsupported. */
    public static String lossName(String name) {
        return name == null ? null : LOSSES.get(name.trim().toLowerCase(Locale.ROOT));
    }

    /** The optimizer's Keras class name, or null if unsupported. */
    public static String optimizerName(String name) {
        return name == null ? null : OPTIMIZERS.get(name.trim().toLowerCase(Locale.ROOT));
    }

    /** Checks the requestor's settings; a message naming the field, or null when they are fine. */
    public String problem() {
        if (loss != null && lossName(loss) == null) {
            return "--loss '" + loss + "' is not supported; use one of " + String.join(", ", supportedLosses());
        }
        if (optimizer != null && optimizerName(optimizer) == null) {
            return "--optimizer '" + optimizer + "' is not supported; use one of " + new TreeSet<>(OPTIMIZERS.values());
        }
        if (learningRate != null && !(learningRate > 0 && learningRate < 10)) {
            return "--lr " + learningRate + " is out of range; give a learning rate such as 0.001";
        }
        return null;
    }

    /**
     * The Keras 2 training_config for a model whose file says {@code fileConfig} (Keras 2
     * training_config form, or null), with these settings applied; null when neither says anything.
     */
    JsonObject applyTo(JsonObject fileConfig) {
        JsonObject result = fileConfig == null ? new JsonObject() : fileConfig.deepCopy();
        if (loss != null) {
            result.addProperty("loss", lossName(loss));
        }
        if (optimizer != null) {
            result.add("optimizer_config", optimizerConfig(optimizerName(optimizer), null));
        }
        if (learningRate != null && result.has("optimizer_config")) {
            // both names: Keras 2.3+ writes learning_rate, older files lr, and DL4J's import reads lr first
            JsonObject config = result.getAsJsonObject("optimizer_config").getAsJsonObject("config");
            config.addProperty("learning_rate", learningRate);
            config.addProperty("lr", learningRate);
        }
        return result.size() == 0 ? null : result;
    }

    /**
     * A Keras 3 compile_config ({}, missing, or with the loss and optimizer in any of the forms
     * Keras writes) as a Keras 2 training_config; null when it names no loss or no optimizer.
     */
    static JsonObject fromKeras3(JsonElement compile) throws KerasFormatException {
        if (compile == null || !compile.isJsonObject()) {
            return null;
        }
        JsonObject c = compile.getAsJsonObject();
        JsonObject result = new JsonObject();
        JsonElement loss = c.get("loss");
        if (loss != null && !loss.isJsonNull()) {
            result.addProperty("loss", lossOf(loss));
            result.addProperty("from_logits", fromLogits(loss));
        }
        // .keras: "optimizer"; a legacy .h5 from Keras 3: "optimizer_config"
        JsonElement optimizer = c.has("optimizer") ? c.get("optimizer") : c.get("optimizer_config");
        if (optimizer != null && !optimizer.isJsonNull()) {
            if (optimizer.isJsonPrimitive()) {
                result.add("optimizer_config", optimizerConfig(known(optimizer.getAsString()), null));
            } else {
                JsonObject o = optimizer.getAsJsonObject();
                result.add("optimizer_config", optimizerConfig(known(Keras3Config.string(o, "class_name")), o.getAsJsonObject("config")));
            }
        }
        return result.has("loss") || result.has("optimizer_config") ? result : null;
    }

    /** The importable name, or the name as written (the check then says it is unsupported, unless --optimizer replaces it). */
    private static String known(String optimizer) {
        String name = optimizerName(optimizer);
        return name == null ? String.valueOf(optimizer) : name;
    }

    /**
     * A Keras 2 training_config with its loss as an importable name (Keras 2.x may save the loss as
     * a class object, {"class_name": "BinaryCrossentropy", "config": {"from_logits": true}}, or an
     * alias) and AdamW as Adam with weight decay.
     */
    static JsonObject keras2Loss(JsonObject training) throws KerasFormatException {
        if (training == null) {
            return null;
        }
        JsonObject result = training.deepCopy();
        JsonElement optimizer = training.get("optimizer_config");
        if (optimizer != null && optimizer.isJsonObject() && "AdamW".equals(optimizerName(Keras3Config.string(optimizer.getAsJsonObject(),
                "class_name")))) {
            result.add("optimizer_config", optimizerConfig("AdamW", optimizer.getAsJsonObject().getAsJsonObject("config")));
        }
        JsonElement loss = training.get("loss");
        if (loss != null && !loss.isJsonNull()) {
            result.addProperty("loss", lossOf(loss));
            result.addProperty("from_logits", fromLogits(loss));
        }
        return result;
    }

    private static boolean fromLogits(JsonElement loss) {
        if (loss.isJsonObject() && loss.getAsJsonObject().has("config") && loss.getAsJsonObject().get("config").isJsonObject()) {
            JsonElement logits = loss.getAsJsonObject().getAsJsonObject("config").get("from_logits");
            return logits != null && logits.isJsonPrimitive() && logits.getAsBoolean();
        }
        return false;
    }

    private static String lossOf(JsonElement loss) throws KerasFormatException {
        String written;
        if (loss.isJsonPrimitive()) {
            written = loss.getAsString();
        } else if (loss.isJsonObject()) {
            JsonObject o = loss.getAsJsonObject();
            JsonElement config = o.get("config");
            if ("function".equals(Keras3Config.string(o, "class_name")) && config != null && config.isJsonPrimitive()) {
                written = config.getAsString(); // {"module": "builtins", "class_name": "function", "config": "mse"}
            } else {
                written = Keras3Config.string(o, "class_name");
            }
        } else {
            throw new KerasFormatException("it has one loss per output (" + brief(loss) + "); DAIG trains one loss: give it with --loss");
        }
        String name = lossName(written);
        return name == null ? String.valueOf(written) : name; // the check names an unsupported one, unless --loss replaces it
    }

    /** A Keras 2 optimizer_config with every field DL4J's importer reads, Keras's defaults where the file has none. */
    private static JsonObject optimizerConfig(String className, JsonObject given) {
        JsonObject config = new JsonObject();
        double rate = DEFAULT_RATES.getOrDefault(className, 0.001);
        double weightDecay = className.equals("AdamW") ? 0.004 : 0;
        if (given != null) {
            rate = number(given.get("learning_rate"), rate);
            weightDecay = number(given.get("weight_decay"), weightDecay);
        }
        config.addProperty("learning_rate", rate);
        config.addProperty("lr", rate);
        config.addProperty("decay", 0.0);
        config.addProperty("beta_1", given == null ? 0.9 : number(given.get("beta_1"), 0.9));
        config.addProperty("beta_2", given == null ? 0.999 : number(given.get("beta_2"), 0.999));
        config.addProperty("epsilon", given == null ? 1e-7 : number(given.get("epsilon"), 1e-7));
        config.addProperty("rho", given == null ? (className.equals("Adadelta") ? 0.95 : 0.9) : number(given.get("rho"), 0.9));
        config.addProperty("momentum", given == null ? 0.0 : number(given.get("momentum"), 0.0));
        config.addProperty("schedule_decay", 0.004);
        config.addProperty("weight_decay", weightDecay);
        JsonObject result = new JsonObject();
        // DL4J knows no AdamW: it trains as Adam, the weight decay is added to the network (TrainableModel)
        result.addProperty("class_name", className.equals("AdamW") ? "Adam" : className);
        result.add("config", config);
        return result;
    }

    /** A number, or for a learning-rate schedule its initial rate; {@code otherwise} when absent. */
    private static double number(JsonElement value, double otherwise) {
        if (value == null || value.isJsonNull()) {
            return otherwise;
        }
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
            return value.getAsDouble();
        }
        if (value.isJsonObject() && value.getAsJsonObject().has("config")) {
            JsonObject schedule = value.getAsJsonObject().getAsJsonObject("config");
            return number(schedule.get("initial_learning_rate"), otherwise);
        }
        return otherwise;
    }

    private static String brief(JsonElement element) {
        String s = element.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
