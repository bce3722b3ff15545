package org.daig.trainer.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.daig.trainer.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Imported Keras 3 models compute what Keras would: the twins (one model saved as .keras and as
 * .h5) predict alike, and real files agree with {@link ReferenceForwardPass}, a forward pass
 * written from Keras's definitions that reads the weights itself.
 */
class Keras3ReferenceTest {

    @TempDir
    Path dir;

    @Test
    void theTwinsPredictIdentically() throws Exception {
        TrainableModel keras = TrainableModel.load(SharedData.file("keras3/404error-010__ANN-Churn-Classification__model.keras"));
        TrainableModel h5 = TrainableModel.load(SharedData.file("keras3/404error-010__ANN-Churn-Classification__model.h5"));
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 16, 12);
        assertEquals(keras.output(x), h5.output(x));
        assertEquals(keras.paramsCopy(), h5.paramsCopy());
    }

    @ParameterizedTest
    @ValueSource(strings = { "404error-010__ANN-Churn-Classification__model.keras",
            "Carine-Ashimwe__Summative-Assignment-SAHeart-Project__sequential_model.keras", "Lynn578__FASHION_MNIST__fashion_mnist_model.keras",
            "CharM0625__mnist_cnn__mnist_model.keras", "Obaiz1__LSTM-vs-GRU-BTC-Price-Prediction__gru_model.keras",
            "Obaiz1__LSTM-vs-GRU-BTC-Price-Prediction__lstm_model.keras", "daniiprietoo__DL-P2-RNNs__jena_conv.keras",
            "daniiprietoo__DL-P2-RNNs__jena_rnn.keras" })
    void predictionsAgreeWithAnIndependentForwardPass(String name) throws Exception {
        Path file = SharedData.file("keras3/" + name);
        TrainableModel model = TrainableModel.load(file);
        ReferenceForwardPass reference = new ReferenceForwardPass(file, dir);
        long[] in = model.facts().inputShape();
        long[] shape = new long[in.length + 1];
        shape[0] = 3;
        System.arraycopy(in, 0, shape, 1, in.length);
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, shape);
        INDArray actual = model.output(x);
        int sample = (int) (x.length() / 3);
        int[] sampleShape = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            sampleShape[i] = (int) in[i];
        }
        double[] all = x.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int s = 0; s < 3; s++) {
            double[] one = java.util.Arrays.copyOfRange(all, s * sample, (s + 1) * sample);
            double[] expected = reference.predict(new ReferenceForwardPass.Tensor(one, sampleShape)).v();
            double[] got = actual.getRow(s).dup().castTo(DataType.DOUBLE).data().asDouble();
            assertEquals(expected.length, got.length, "outputs per sample");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], 1e-5 * Math.max(1, Math.abs(expected[i])), name + " sample " + s + " output " + i);
            }
        }
        assertArrayEquals(new long[] { 3, actual.size(1) }, actual.shape());
        assertTrue(actual.size(1) > 0);
    }

    /**
     * Providers rebuild a model from its canonical form (DL4J's JSON and the parameters): DAIG's
     * own GRU and Conv1D layers must survive that trip with every setting.
     */
    @ParameterizedTest
    @ValueSource(strings = { "Obaiz1__LSTM-vs-GRU-BTC-Price-Prediction__gru_model.keras", "daniiprietoo__DL-P2-RNNs__jena_conv.keras",
            "daniiprietoo__DL-P2-RNNs__jena_gru_stacked.keras" })
    void customLayersSurviveTheCanonicalForm(String name) throws Exception {
        TrainableModel model = TrainableModel.load(SharedData.file("keras3/" + name));
        Path canonical = dir.resolve("canonical.json");
        CanonicalModel.write(model, canonical);
        TrainableModel rebuilt = TrainableModel.loadCanonical(canonical);
        rebuilt.setParams(model.paramsCopy());
        long[] in = model.facts().inputShape();
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, in[0], in[1]);
        assertEquals(model.output(x), rebuilt.output(x));
    }

    /**
     * Import, train, export as .keras, import again: the same predictions, and the archive keeps
     * the original's config.json and metadata.json byte for byte, so Keras opens it as it opened the
     * original. Checked for every layer type the export maps.
     */
    @ParameterizedTest
    @ValueSource(strings = { "Lynn578__FASHION_MNIST__fashion_mnist_model.keras", "CharM0625__mnist_cnn__mnist_model.keras",
            "Obaiz1__LSTM-vs-GRU-BTC-Price-Prediction__gru_model.keras", "Obaiz1__LSTM-vs-GRU-BTC-Price-Prediction__lstm_model.keras",
            "daniiprietoo__DL-P2-RNNs__jena_conv.keras", "daniiprietoo__DL-P2-RNNs__jena_rnn.keras",
            "BHARATHSEESA__Spam-detection-simple_RNN-__spam_model.keras" })
    void aTrainedModelRoundTripsThroughKerasExport(String name) throws Exception {
        Path file = SharedData.file("keras3/" + name);
        TrainableModel model = TrainableModel.load(file);
        long[] in = model.facts().inputShape();
        long[] shape = new long[in.length + 1];
        shape[0] = 8;
        System.arraycopy(in, 0, shape, 1, in.length);
        Nd4j.getRandom().setSeed(13);
        INDArray x = name.contains("spam") ? Nd4j.rand(DataType.FLOAT, shape).muli(100).castTo(DataType.INT32).castTo(DataType.FLOAT)
                : Nd4j.rand(DataType.FLOAT, shape);
        INDArray before = model.output(x);
        INDArray y = before.dup().addi(0.5);
        if (model.facts().lossName().contains("categorical")) {
            y = Nd4j.zeros(DataType.FLOAT, before.shape());
            y.getColumn(1).assign(1);
            if (model.facts().lossName().startsWith("sparse")) {
                y = Nd4j.zeros(DataType.FLOAT, before.size(0), 1).addi(1);
            }
        } else if (model.facts().lossName().contains("binary")) {
            y = Nd4j.ones(DataType.FLOAT, before.shape());
        }
        for (int i = 0; i < 3; i++) {
            model.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
        }
        INDArray trained = model.output(x);
        assertTrue(!before.equalsWithEps(trained, 1e-7), "training changed the model, so the check means something");
        Path exported = dir.resolve("trained.keras");
        Keras3Export.write(model, exported);
        INDArray reloaded = TrainableModel.load(exported).output(x);
        assertTrue(trained.equalsWithEps(reloaded, 1e-6), "trained " + trained + " re-imported " + reloaded);
        for (String entry : new String[] { "config.json", "metadata.json" }) {
            assertArrayEquals(bytes(file, entry), bytes(exported, entry), entry + " is the uploaded one");
        }
    }

    @Test
    void aModelFromAnH5IsNotWrittenAsKeras() throws Exception {
        TrainableModel model = TrainableModel.load(SharedData.file("keras3/404error-010__ANN-Churn-Classification__model.h5"));
        org.daig.trainer.TrainerException e = org.junit.jupiter.api.Assertions.assertThrows(org.daig.trainer.TrainerException.class,
                () -> Keras3Export.write(model, dir.resolve("no.keras")));
        assertTrue(e.getMessage().contains("as h5"), e.getMessage());
        assertTrue(!java.nio.file.Files.exists(dir.resolve("no.keras")), "nothing written");
    }

    private static byte[] bytes(Path zip, String entry) throws java.io.IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile()); java.io.InputStream in = z.getInputStream(z.getEntry(entry))) {
            return in.readAllBytes();
        }
    }

    /** What DL4J's Bidirectional cannot rebuild is refused in one line that names the layer and what is supported. */
    @ParameterizedTest
    @ValueSource(strings = { "GRU inside", "merge_mode None", "forward in the name" })
    void bidirectionalLayersDl4jCannotBuildAreRefusedByName(String which) throws Exception {
        String name = which.startsWith("forward") ? "forward_pass" : "bidirectional";
        String layer = bidirectional(name, which.startsWith("merge") ? "null" : "concat", which.startsWith("GRU") ? "GRU" : "LSTM",
                "\"units\": 2, \"return_sequences\": false").replace("\"merge_mode\": \"null\"", "\"merge_mode\": null");
        Path file = Keras3Fixture.write(dir.resolve("refused.keras"), Keras3Fixture.sequential("[null, 5, 3]", "mse", layer,
                Keras3Fixture.layer("Dense", "\"name\": \"dense\", \"units\": 1, \"activation\": \"linear\", \"use_bias\": true, " + INIT)),
                List.of(new Keras3Fixture.Variable("layers/dense/vars/0", 4, 1), new Keras3Fixture.Variable("layers/dense/vars/1", 1)), 26);
        String message = org.junit.jupiter.api.Assertions.assertThrows(org.daig.trainer.TrainerException.class,
                () -> TrainableModel.load(file)).getMessage();
        assertTrue(message.startsWith(file.toString()) && !message.contains("\n"), message);
        assertTrue(message.contains("layer '" + name + "'"), "names the layer: " + message);
        assertTrue(message.contains(which.startsWith("GRU") ? "LSTM and SimpleRNN" : which.startsWith("merge") ? "concat, sum"
                : "rename the layer"), message);
    }

    /**
     * A Bidirectional layer as Keras 3.8 writes it: the wrapped layer's config (named forward_...)
     * and the backward copy's (named backward_..., go_backwards true).
     */
    private static String bidirectional(String name, String merge, String innerClass, String innerConfig) {
        String common = ", \"activation\": \"tanh\", \"use_bias\": true, \"stateful\": false, \"unroll\": false, \"dropout\": 0.0, "
                + "\"recurrent_dropout\": 0.0, \"return_state\": false, " + INIT + ", \"recurrent_initializer\": {\"module\": "
                + "\"keras.initializers\", \"class_name\": \"Orthogonal\", \"config\": {\"gain\": 1.0, \"seed\": null}, "
                + "\"registered_name\": null}, \"recurrent_regularizer\": null, \"recurrent_constraint\": null, " + innerConfig;
        String snake = Keras3Config.snakeCase(innerClass);
        String forward = Keras3Fixture.layer(innerClass, "\"name\": \"forward_" + snake + "\", \"go_backwards\": false" + common);
        String backward = Keras3Fixture.layer(innerClass, "\"name\": \"backward_" + snake + "\", \"go_backwards\": true" + common);
        return Keras3Fixture.layer("Bidirectional", "\"name\": \"" + name + "\", \"merge_mode\": \"" + merge + "\", \"layer\": "
                + forward + ", \"backward_layer\": " + backward);
    }

    private static final String INIT = "\"kernel_initializer\": {\"module\": \"keras.initializers\", \"class_name\": \"GlorotUniform\", "
            + "\"config\": {\"seed\": null}, \"registered_name\": null}, \"bias_initializer\": {\"module\": \"keras.initializers\", "
            + "\"class_name\": \"Zeros\", \"config\": {}, \"registered_name\": null}, \"kernel_regularizer\": null, "
            + "\"bias_regularizer\": null, \"activity_regularizer\": null, \"kernel_constraint\": null, \"bias_constraint\": null";

    /**
     * Layers no file in the folder has: LayerNormalization between Dense layers, a GRU with
     * reset_after=False (Keras 2's form), and a Functional graph with Add, a ReLU layer and
     * Concatenate, a Normalization layer, and two stacked Bidirectional layers (an LSTM returning
     * sequences, concatenated; a SimpleRNN returning its last state, summed). Written in Keras 3's
     * layout with random weights, they agree with the reference pass, train, and round-trip
     * through .keras and .h5 export and the canonical form providers train.
     */
    @ParameterizedTest
    @ValueSource(strings = { "layer-norm", "gru-reset-before", "functional-merge", "normalization", "bidirectional" })
    void layersWithoutARealFileAgreeWithTheReference(String which) throws Exception {
        Path file;
        long[] shape;
        if (which.equals("layer-norm")) {
            file = Keras3Fixture.write(dir.resolve("ln.keras"), Keras3Fixture.sequential("[null, 6]", "categorical_crossentropy",
                    Keras3Fixture.layer("Dense", "\"name\": \"dense\", \"units\": 5, \"activation\": \"relu\", \"use_bias\": true, " + INIT),
                    Keras3Fixture.layer("LayerNormalization", "\"name\": \"layer_normalization\", \"axis\": -1, \"epsilon\": 0.001, "
                            + "\"center\": true, \"scale\": true"),
                    Keras3Fixture.layer("Dense", "\"name\": \"dense_1\", \"units\": 3, \"activation\": \"softmax\", \"use_bias\": true, " + INIT)),
                    List.of(new Keras3Fixture.Variable("layers/dense/vars/0", 6, 5), new Keras3Fixture.Variable("layers/dense/vars/1", 5),
                            new Keras3Fixture.Variable("layers/layer_normalization/vars/0", 5),
                            new Keras3Fixture.Variable("layers/layer_normalization/vars/1", 5),
                            new Keras3Fixture.Variable("layers/dense_1/vars/0", 5, 3), new Keras3Fixture.Variable("layers/dense_1/vars/1", 3)), 21);
            shape = new long[] { 4, 6 };
        } else if (which.equals("normalization")) {
            // adapted statistics (the random variances are made positive below) in front of a Dense layer
            file = Keras3Fixture.write(dir.resolve("norm.keras"), Keras3Fixture.sequential("[null, 6]", "categorical_crossentropy",
                    Keras3Fixture.layer("Normalization", "\"name\": \"normalization\", \"axis\": -1, \"mean\": null, \"variance\": null, "
                            + "\"invert\": false"),
                    Keras3Fixture.layer("Dense", "\"name\": \"dense\", \"units\": 3, \"activation\": \"softmax\", \"use_bias\": true, " + INIT)),
                    List.of(new Keras3Fixture.Variable("layers/normalization/vars/0", 6),
                            new Keras3Fixture.Variable("layers/normalization/vars/1", 6),
                            new Keras3Fixture.Variable("layers/dense/vars/0", 6, 3), new Keras3Fixture.Variable("layers/dense/vars/1", 3)), 24);
            shape = new long[] { 4, 6 };
        } else if (which.equals("functional-merge")) {
            // two branches added, a ReLU layer, concatenated with one branch again: Keras 3's Functional nodes
            file = Keras3Fixture.write(dir.resolve("merge.keras"), Keras3Fixture.functional("[null, 6]", "categorical_crossentropy", "dense_out",
                    Keras3Fixture.functionalLayer("Dense", "\"name\": \"dense_a\", \"units\": 4, \"activation\": \"linear\", \"use_bias\": true, "
                            + INIT, "input_layer"),
                    Keras3Fixture.functionalLayer("Dense", "\"name\": \"dense_b\", \"units\": 4, \"activation\": \"tanh\", \"use_bias\": true, "
                            + INIT, "input_layer"),
                    Keras3Fixture.functionalLayer("Add", "\"name\": \"add\"", "dense_a", "dense_b"),
                    Keras3Fixture.functionalLayer("ReLU", "\"name\": \"re_lu\", \"max_value\": null, \"negative_slope\": 0.0, \"threshold\": 0.0",
                            "add"),
                    Keras3Fixture.functionalLayer("Concatenate", "\"name\": \"concatenate\", \"axis\": -1", "re_lu", "dense_a"),
                    Keras3Fixture.functionalLayer("Dense", "\"name\": \"dense_out\", \"units\": 3, \"activation\": \"softmax\", \"use_bias\": true, "
                            + INIT, "concatenate")),
                    List.of(new Keras3Fixture.Variable("layers/dense/vars/0", 6, 4), new Keras3Fixture.Variable("layers/dense/vars/1", 4),
                            new Keras3Fixture.Variable("layers/dense_1/vars/0", 6, 4), new Keras3Fixture.Variable("layers/dense_1/vars/1", 4),
                            new Keras3Fixture.Variable("layers/dense_2/vars/0", 8, 3), new Keras3Fixture.Variable("layers/dense_2/vars/1", 3)), 23);
            shape = new long[] { 4, 6 };
        } else if (which.equals("bidirectional")) {
            file = Keras3Fixture.write(dir.resolve("bidirectional.keras"), Keras3Fixture.sequential("[null, 5, 3]", "mse",
                    bidirectional("bidirectional", "concat", "LSTM", "\"units\": 4, \"recurrent_activation\": \"sigmoid\", "
                            + "\"unit_forget_bias\": true, \"return_sequences\": true"),
                    bidirectional("bidirectional_1", "sum", "SimpleRNN", "\"units\": 3, \"return_sequences\": false"),
                    Keras3Fixture.layer("Dense", "\"name\": \"dense\", \"units\": 1, \"activation\": \"linear\", \"use_bias\": true, " + INIT)),
                    List.of(new Keras3Fixture.Variable("layers/bidirectional/forward_layer/cell/vars/0", 3, 16),
                            new Keras3Fixture.Variable("layers/bidirectional/forward_layer/cell/vars/1", 4, 16),
                            new Keras3Fixture.Variable("layers/bidirectional/forward_layer/cell/vars/2", 16),
                            new Keras3Fixture.Variable("layers/bidirectional/backward_layer/cell/vars/0", 3, 16),
                            new Keras3Fixture.Variable("layers/bidirectional/backward_layer/cell/vars/1", 4, 16),
                            new Keras3Fixture.Variable("layers/bidirectional/backward_layer/cell/vars/2", 16),
                            new Keras3Fixture.Variable("layers/bidirectional_1/forward_layer/cell/vars/0", 8, 3),
                            new Keras3Fixture.Variable("layers/bidirectional_1/forward_layer/cell/vars/1", 3, 3),
                            new Keras3Fixture.Variable("layers/bidirectional_1/forward_layer/cell/vars/2", 3),
                            new Keras3Fixture.Variable("layers/bidirectional_1/backward_layer/cell/vars/0", 8, 3),
                            new Keras3Fixture.Variable("layers/bidirectional_1/backward_layer/cell/vars/1", 3, 3),
                            new Keras3Fixture.Variable("layers/bidirectional_1/backward_layer/cell/vars/2", 3),
                            new Keras3Fixture.Variable("layers/dense/vars/0", 3, 1), new Keras3Fixture.Variable("layers/dense/vars/1", 1)), 25);
            shape = new long[] { 4, 5, 3 };
        } else {
            file = Keras3Fixture.write(dir.resolve("gru.keras"), Keras3Fixture.sequential("[null, 5, 3]", "mse",
                    Keras3Fixture.layer("GRU", "\"name\": \"gru\", \"units\": 4, \"activation\": \"tanh\", \"recurrent_activation\": "
                            + "\"sigmoid\", \"use_bias\": true, \"reset_after\": false, \"return_sequences\": false, \"go_backwards\": false, "
                            + "\"stateful\": false, \"unroll\": false, \"dropout\": 0.0, \"recurrent_dropout\": 0.0, " + INIT),
                    Keras3Fixture.layer("Dense", "\"name\": \"dense\", \"units\": 1, \"activation\": \"linear\", \"use_bias\": true, " + INIT)),
                    List.of(new Keras3Fixture.Variable("layers/gru/cell/vars/0", 3, 12), new Keras3Fixture.Variable("layers/gru/cell/vars/1", 4, 12),
                            new Keras3Fixture.Variable("layers/gru/cell/vars/2", 12), new Keras3Fixture.Variable("layers/dense/vars/0", 4, 1),
                            new Keras3Fixture.Variable("layers/dense/vars/1", 1)), 22);
            shape = new long[] { 4, 5, 3 };
        }
        TrainableModel model = TrainableModel.load(file);
        Nd4j.getRandom().setSeed(17);
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).subi(0.5).muli(4);
        INDArray actual = model.output(x);
        ReferenceForwardPass reference = new ReferenceForwardPass(file, dir);
        int sample = (int) (x.length() / shape[0]);
        int[] sampleShape = java.util.Arrays.stream(java.util.Arrays.copyOfRange(shape, 1, shape.length)).mapToInt(d -> (int) d).toArray();
        double[] all = x.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int s = 0; s < shape[0]; s++) {
            double[] expected = reference.predict(new ReferenceForwardPass.Tensor(java.util.Arrays.copyOfRange(all, s * sample, (s + 1) * sample),
                    sampleShape)).v();
            double[] got = actual.getRow(s).dup().castTo(DataType.DOUBLE).data().asDouble();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], 1e-5 * Math.max(1, Math.abs(expected[i])), which + " sample " + s + " output " + i);
            }
        }
        boolean regression = which.startsWith("gru") || which.equals("bidirectional");
        INDArray y = regression ? Nd4j.ones(DataType.FLOAT, 4, 1) : Nd4j.eye(3).getRows(0, 1, 2, 0).castTo(DataType.FLOAT);
        model.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
        INDArray trained = model.output(x);
        assertTrue(!actual.equalsWithEps(trained, 1e-7), "it trains");
        Path exported = dir.resolve("exported-" + which + ".keras");
        Keras3Export.write(model, exported);
        assertTrue(trained.equalsWithEps(TrainableModel.load(exported).output(x), 1e-6), "round trip through .keras");
        Path h5 = dir.resolve("exported-" + which + ".h5");
        KerasExport.write(model, h5);
        assertTrue(trained.equalsWithEps(TrainableModel.load(h5).output(x), 1e-6), "round trip through Keras 2 .h5");
        // the legacy .h5 Keras 3 writes for model.save('m.h5'): the Keras 3 config, weights under the layers' names
        List<KerasH5Writer.LayerWeights> layers = new java.util.ArrayList<>();
        for (com.google.gson.JsonObject layer : Keras3Config.layers(model.source().keras3Config())) {
            layers.add(new KerasH5Writer.LayerWeights(layer.getAsJsonObject("config").get("name").getAsString(),
                    KerasExport.kerasWeights(model, layer)));
        }
        Path legacy = dir.resolve("legacy-" + which + ".h5");
        KerasH5Writer.write(legacy, "3.8.0", model.source().keras3Config(), com.google.gson.JsonParser.parseString(
                "{\"loss\": \"mse\", \"optimizer_config\": \"adam\"}").getAsJsonObject(), layers);
        assertTrue(trained.equalsWithEps(TrainableModel.load(legacy).output(x), 1e-6), "round trip through a Keras 3 legacy .h5");
        // providers train the canonical form (DL4J's JSON and the parameters)
        Path canonical = dir.resolve("canonical-" + which + ".json");
        CanonicalModel.write(model, canonical);
        TrainableModel rebuilt = TrainableModel.loadCanonical(canonical);
        rebuilt.setParams(model.paramsCopy());
        assertTrue(trained.equalsWithEps(rebuilt.output(x), 1e-6), "round trip through the canonical form");
    }
}
