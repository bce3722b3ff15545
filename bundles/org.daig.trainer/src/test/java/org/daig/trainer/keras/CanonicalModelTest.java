package org.daig.trainer.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.daig.trainer.SharedData;
import org.daig.trainer.TrainerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The canonical form a provider loads instead of the requestor's .h5: built from it, the network
 * predicts and trains exactly as the imported one does, and an HDF5 file is refused unread.
 */
class CanonicalModelTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = { "simple_mlp.h5", "simple_functional_mlp.h5", "cnn_batch_norm/cnn_batch_norm.h5",
            "simple_lstm_tf_keras_2_model.h5" })
    void theCanonicalFormPredictsAndTrainsLikeTheImportedModel(String name) throws Exception {
        TrainableModel imported = TrainableModel.load(SharedData.file("keras/" + name));
        Path canonical = dir.resolve("model.daig.json");
        CanonicalModel.write(imported, canonical);
        TrainableModel rebuilt = TrainableModel.loadCanonical(canonical);
        assertNull(rebuilt.source(), "no Keras file behind it");
        assertEquals(imported.numParams(), rebuilt.numParams(), name);
        assertArrayEquals(imported.facts().inputShape(), rebuilt.facts().inputShape());
        assertEquals(imported.facts().lossName(), rebuilt.facts().lossName());
        assertEquals(imported.facts().isSequential(), rebuilt.facts().isSequential());
        rebuilt.setParams(imported.paramsCopy());

        INDArray input = sample(imported, 7);
        assertTrue(imported.output(input).equalsWithEps(rebuilt.output(input), 1e-6), name + ": same predictions");

        INDArray target = imported.output(input).mul(0.5);
        imported.resetOptimizer();
        rebuilt.resetOptimizer();
        for (int i = 0; i < 3; i++) {
            Nd4j.getRandom().setSeed(100 + i); // the LSTM's dropout draws the same masks for both
            imported.fit(new DataSet(input, target));
            Nd4j.getRandom().setSeed(100 + i);
            rebuilt.fit(new DataSet(input, target));
        }
        assertTrue(imported.paramsCopy().equalsWithEps(rebuilt.paramsCopy(), 1e-5),
                name + ": the same optimizer with the same settings takes the same steps");
    }

    @Test
    void anHdf5FileIsRefusedBeforeAnyParserSeesIt() throws Exception {
        TrainerException refused = assertThrows(TrainerException.class,
                () -> TrainableModel.loadCanonical(SharedData.file("keras/simple_mlp.h5")));
        assertTrue(refused.getMessage().contains("HDF5 file, which providers never parse"), refused.getMessage());
    }

    @Test
    void otherJsonAndOversizedFilesAreRefusedWithTheReason() throws Exception {
        Path other = Files.writeString(dir.resolve("other.json"), "{\"format\": \"keras\", \"dl4j\": \"{}\"}");
        assertTrue(assertThrows(TrainerException.class, () -> TrainableModel.loadCanonical(other)).getMessage()
                .contains("format 'keras' is not " + CanonicalModel.FORMAT));
        Path huge = dir.resolve("huge.json");
        try (var channel = Files.newByteChannel(huge, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap("{".getBytes()));
            channel.position(CanonicalModel.MAX_BYTES + 1);
            channel.write(java.nio.ByteBuffer.wrap("}".getBytes()));
        }
        assertTrue(assertThrows(TrainerException.class, () -> TrainableModel.loadCanonical(huge)).getMessage().contains("too large"));
        Path broken = Files.writeString(dir.resolve("broken.json"),
                "{\"format\": \"" + CanonicalModel.FORMAT + "\", \"sequential\": true, \"dl4j\": \"{oops\"}");
        assertTrue(assertThrows(TrainerException.class, () -> TrainableModel.loadCanonical(broken)).getMessage().contains("cannot build"));
    }

    /** A few samples of the model's input shape with fixed values. */
    private static INDArray sample(TrainableModel model, int rows) {
        long[] in = model.facts().inputShape();
        long[] shape = new long[in.length + 1];
        shape[0] = rows;
        for (int i = 0; i < in.length; i++) {
            shape[i + 1] = Math.max(1, in[i]);
        }
        Nd4j.getRandom().setSeed(42);
        return Nd4j.rand(DataType.FLOAT, shape);
    }
}
