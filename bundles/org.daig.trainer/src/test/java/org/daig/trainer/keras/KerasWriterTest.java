package org.daig.trainer.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KerasWriterTest {

    @Test
    void aWrittenMlpImportsWithItsTrainingConfiguration(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mlp.h5");
        new KerasMlp(64, new int[] { 32 }, 10, "relu", "softmax", "sparse_categorical_crossentropy", "Adam", 0.001).write(file, 7);
        KerasModelFile checked = KerasModelFile.read(file);
        assertEquals("sparse_categorical_crossentropy", checked.lossName());
        assertEquals("Adam", checked.optimizerName());
        TrainableModel model = TrainableModel.load(file);
        assertEquals(64L * 32 + 32 + 32L * 10 + 10, model.numParams());
    }
}
