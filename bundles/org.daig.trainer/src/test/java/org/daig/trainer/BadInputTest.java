package org.daig.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.daig.trainer.data.NpyArray;
import org.daig.trainer.data.NpyWriter;
import org.daig.trainer.keras.CompileSettings;
import org.daig.trainer.keras.KerasH5Writer;
import org.daig.trainer.keras.KerasMlp;
import org.daig.trainer.keras.TrainableModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Every kind of bad input the trainer refuses: one message naming the file and the fix, and
 * nothing written. Bad models are made the way users make them (the Keras file layout, written
 * by our own writer); bad arrays are written byte by byte.
 */
class BadInputTest {

    private static final KerasMlp MLP = new KerasMlp(4, new int[] { 8 }, 3, "relu", "softmax",
            "sparse_categorical_crossentropy", "Adam", 0.01);

    @TempDir
    Path dir;
    private Path goodModel;
    private Path x;
    private Path y;

    @BeforeEach
    void goodInputs() throws IOException {
        goodModel = dir.resolve("good.h5");
        MLP.write(goodModel, 1);
        x = dir.resolve("x.npy");
        y = dir.resolve("y.npy");
        NpyWriter.writeFloat32(x, new long[] { 6, 4 }, new float[24]);
        NpyWriter.writeInt64(y, new long[] { 6 }, new long[] { 0, 1, 2, 0, 1, 2 });
    }

    private Path model(String name, String kerasVersion, Consumer<JsonObject> editModel, Consumer<JsonObject> editTraining)
            throws IOException {
        KerasMlp.Spec spec = MLP.spec(1);
        JsonObject modelConfig = spec.modelConfig();
        JsonObject training = spec.trainingConfig();
        editModel.accept(modelConfig);
        if (editTraining != null) {
            editTraining.accept(training);
        }
        Path file = dir.resolve(name);
        KerasH5Writer.write(file, kerasVersion, modelConfig, editTraining == null ? null : training, spec.weights());
        return file;
    }

    private static String refusal(Path model) {
        return assertThrows(TrainerException.class, () -> TrainableModel.load(model)).getMessage();
    }

    private static void assertMentions(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), "expected '" + f + "' in: " + message);
        }
    }

    @Test
    void keras1FilesAndBrokenZipsAreRefused() throws IOException {
        assertMentions(refusal(model("k1.h5", "1.2.2", m -> { }, t -> { })), "k1.h5", "Keras 1.2.2", "Keras 2 or 3");
        Path keras3 = dir.resolve("model.keras");
        Files.write(keras3, new byte[] { 'P', 'K', 3, 4, 0, 0, 0, 0 });
        assertMentions(refusal(keras3), "model.keras", "not a readable zip", "model.save('model.keras')");
    }

    @Test
    void aModelWithoutTrainingConfigAsksForLossAndOptimizer() throws Exception {
        Path uncompiled = model("uncompiled.h5", "2.4.0", m -> { }, null);
        assertMentions(refusal(uncompiled), "uncompiled.h5", "--loss", "--optimizer");
        TrainableModel given = TrainableModel.load(uncompiled, new CompileSettings("MSE", "sgd", 0.05));
        assertTrue(given.facts().lossName().equals("mean_squared_error") && given.facts().optimizerName().equals("SGD"),
                "the requestor's loss (an alias) and optimizer are used: " + given.facts().lossName() + ", " + given.facts().optimizerName());
        assertMentions(assertThrows(TrainerException.class, () -> TrainableModel.load(uncompiled, new CompileSettings("logcosh", "adam",
                null))).getMessage(), "--loss 'logcosh'", "mean_squared_error");
    }

    @Test
    void unsupportedOptimizerAndLossAreNamed() throws IOException {
        assertMentions(refusal(model("ftrl.h5", "2.4.0", m -> { },
                t -> t.getAsJsonObject("optimizer_config").addProperty("class_name", "Ftrl"))), "ftrl.h5", "'Ftrl'", "--optimizer");
        assertMentions(refusal(model("huber.h5", "2.4.0", m -> { }, t -> t.addProperty("loss", "huber_loss"))),
                "huber.h5", "'huber_loss'");
    }

    /** tf.keras 2.x saves a loss given as a class as an object; it used to crash DL4J's import, now it trains. */
    @Test
    void aLossSavedAsAnObjectIsUnderstood() throws Exception {
        TrainableModel model = TrainableModel.load(model("lossobj.h5", "2.4.0", m -> { }, t -> t.add("loss",
                JsonParser.parseString("{\"class_name\":\"SparseCategoricalCrossentropy\",\"config\":{}}"))));
        assertTrue(model.facts().lossName().equals("sparse_categorical_crossentropy"), model.facts().lossName());
    }

    @Test
    void nestedFunctionalModelsAreRefusedWithTheLayerName() throws IOException {
        Path file = model("nested.h5", "2.4.0", m -> {
            JsonArray layers = m.getAsJsonObject("config").getAsJsonArray("layers");
            layers.add(JsonParser.parseString("{\"class_name\":\"Functional\",\"config\":{\"name\":\"inner_model\",\"layers\":[]}}"));
        }, t -> { });
        assertMentions(refusal(file), "nested.h5", "'inner_model'", "inlined");
    }

    @Test
    void anUnsupportedLayerIsNamed() throws IOException {
        Path file = model("odd.h5", "2.4.0", m -> m.getAsJsonObject("config").getAsJsonArray("layers").add(
                JsonParser.parseString("{\"class_name\":\"FancyAttention\",\"config\":{\"name\":\"fancy\"}}")), t -> { });
        assertMentions(refusal(file), "odd.h5", "FancyAttention");
    }

    @Test
    void truncatedAndNonHdf5FilesAreRefused() throws IOException {
        byte[] whole = Files.readAllBytes(goodModel);
        Path truncated = dir.resolve("truncated.h5");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 3));
        assertMentions(refusal(truncated), "truncated.h5", "truncated or damaged");
        Path text = dir.resolve("notes.h5");
        Files.writeString(text, "this is not a model");
        assertMentions(refusal(text), "notes.h5", "not an HDF5 file");
    }

    @Test
    void objectArraysAreNeverUnpickled() throws IOException {
        Path pickled = dir.resolve("objects.npy");
        rawNpy(pickled, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", new byte[] { (byte) 0x80, 4, '.', 0 });
        TrainerException e = assertThrows(TrainerException.class, () -> NpyArray.open(pickled));
        assertMentions(e.getMessage(), "objects.npy", "astype('float32')");
    }

    @Test
    void dataThatDoesNotFitTheModelIsRefusedWithTheReason() throws Exception {
        TrainableModel model = TrainableModel.load(goodModel);
        Path shortY = dir.resolve("short_y.npy");
        NpyWriter.writeInt64(shortY, new long[] { 5 }, new long[5]);
        assertMentions(assertThrows(TrainerException.class, () -> org.daig.trainer.data.TrainingData.load(model, x, shortY)).getMessage(),
                "6 samples", "5 labels");

        Path wideX = dir.resolve("wide_x.npy");
        NpyWriter.writeFloat32(wideX, new long[] { 6, 5 }, new float[30]);
        assertMentions(assertThrows(TrainerException.class, () -> org.daig.trainer.data.TrainingData.load(model, wideX, y)).getMessage(),
                "wide_x.npy", "(5)", "(4)");

        Path badLabels = dir.resolve("bad_y.npy");
        NpyWriter.writeInt64(badLabels, new long[] { 6 }, new long[] { 0, 1, 2, 3, 1, 2 });
        assertMentions(assertThrows(TrainerException.class, () -> org.daig.trainer.data.TrainingData.load(model, x, badLabels)).getMessage(),
                "bad_y.npy", "label 3 is 3", "3 classes");

        Path nanX = dir.resolve("nan_x.npy");
        float[] values = new float[24];
        values[9] = Float.NaN;
        NpyWriter.writeFloat32(nanX, new long[] { 6, 4 }, values);
        assertMentions(assertThrows(TrainerException.class, () -> org.daig.trainer.data.TrainingData.load(model, nanX, y)).getMessage(),
                "nan_x.npy", "sample 2", "NaN");

        Path emptyX = dir.resolve("empty_x.npy");
        NpyWriter.writeFloat32(emptyX, new long[] { 0, 4 }, new float[0]);
        assertMentions(assertThrows(TrainerException.class, () -> org.daig.trainer.data.TrainingData.load(model, emptyX, y)).getMessage(),
                "empty_x.npy", "empty");
    }

    @Test
    void theCommandLineSaysWhatIsWrongInOneLineAndWritesNothing() throws Exception {
        Path out = dir.resolve("out");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        int status;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Path shortY = dir.resolve("short_y.npy");
            NpyWriter.writeInt64(shortY, new long[] { 5 }, new long[5]);
            status = new org.daig.trainer.cli.TrainerCliAccess().run("train-local", "--model", goodModel.toString(), "--x",
                    x.toString(), "--y", shortY.toString(), "--epochs", "1", "--batch", "2", "--out", out.toString());
        } finally {
            System.setErr(originalErr);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, message);
        assertTrue(message.startsWith("daig: ") && message.contains("6 samples") && message.lines().count() == 1, message);
        assertFalse(message.contains("Exception"), message);
        assertFalse(Files.exists(out), "nothing written");
    }

    private static void rawNpy(Path file, String dict, byte[] data) throws IOException {
        String header = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0 });
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(data);
        }
    }

}
