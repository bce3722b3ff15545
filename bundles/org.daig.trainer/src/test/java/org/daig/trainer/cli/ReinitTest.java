package org.daig.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import org.daig.trainer.SharedData;
import org.daig.trainer.keras.CompileSettings;
import org.daig.trainer.keras.KerasMlp;
import org.daig.trainer.keras.TrainableModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daig model reinit}: the same architecture with fresh weights, reproducible by its seed. */
class ReinitTest {

    @TempDir
    Path dir;

    private float[] params(Path model) throws Exception {
        return TrainableModel.load(model, CompileSettings.FROM_FILE).paramsCopy().toFloatVector();
    }

    private String reinit(Path model, Path out, long seed) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int code = new TrainerCli(new PrintStream(text, true, StandardCharsets.UTF_8)).run(new String[] { "model", "reinit",
            model.toString(), "--out", out.toString(), "--seed", Long.toString(seed) });
        assertEquals(0, code, text.toString(StandardCharsets.UTF_8));
        return text.toString(StandardCharsets.UTF_8);
    }

    @Test
    void freshWeightsDependOnTheSeedAloneAndKeepTheArchitecture() throws Exception {
        Path trained = dir.resolve("mlp.h5");
        new KerasMlp(20, new int[] { 16 }, 3, "relu", "softmax", "sparse_categorical_crossentropy", "Adam", 0.01).write(trained, 1);
        reinit(trained, dir.resolve("a.h5"), 5);
        reinit(trained, dir.resolve("b.h5"), 5);
        reinit(trained, dir.resolve("c.h5"), 6);
        float[] original = params(trained);
        float[] a = params(dir.resolve("a.h5"));
        assertEquals(original.length, a.length, "the same layers, the same parameter count");
        assertFalse(Arrays.equals(original, a), "the weights were drawn again");
        assertArrayEquals(a, params(dir.resolve("b.h5")), "the same seed, the same weights");
        assertFalse(Arrays.equals(a, params(dir.resolve("c.h5"))), "another seed, other weights");
        assertTrue(Arrays.stream(new int[] { 0, 1, 2 }).anyMatch(i -> a[i] != 0), "weights are not all zero");
    }

    @Test
    void aKerasFileIsWrittenOnlyFromAKerasFileAndTheRefusalSaysWhatToDoInstead() throws Exception {
        Path h5 = dir.resolve("mlp.h5");
        new KerasMlp(4, new int[] { 8 }, 3, "relu", "softmax", "sparse_categorical_crossentropy", "Adam", 0.01).write(h5, 1);
        java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
        PrintStream stderr = System.err;
        int code;
        try {
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            code = new TrainerCli(System.out).run(new String[] { "model", "reinit", h5.toString(), "--out", dir.resolve("x.keras").toString() });
        } finally {
            System.setErr(stderr);
        }
        assertEquals(1, code);
        assertTrue(errors.toString(StandardCharsets.UTF_8).contains("is not a .keras file: write an .h5 instead"), errors.toString());
        assertFalse(java.nio.file.Files.exists(dir.resolve("x.keras")), "nothing written");
    }

    /** A real trained Keras 3 CNN (Fashion-MNIST) comes back as a .keras of the same architecture, untrained. */
    @Test
    void aTrainedKeras3CnnComesBackAsAKerasFileWithFreshWeights() throws Exception {
        Path cnn = SharedData.file("keras3/Lynn578__FASHION_MNIST__fashion_mnist_model.keras");
        Path fresh = dir.resolve("fresh.keras");
        assertTrue(reinit(cnn, fresh, 1).contains("fresh weights"));
        float[] trained = params(cnn);
        float[] drawn = params(fresh);
        assertEquals(trained.length, drawn.length);
        assertFalse(Arrays.equals(trained, drawn));
    }
}
