package org.daig.trainer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.daig.trainer.keras.TrainableModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Training a GRU (a SameDiff layer) prints nothing of SameDiff's on standard output, which the CLI shows the user. */
class SameDiffNoiseTest {

    @Test
    void sameDiffsGradientChatterIsDroppedAndOtherOutputKept() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            SameDiffNoise.install();
            TrainableModel gru = TrainableModel.load(SharedData.file("keras3/Obaiz1__LSTM-vs-GRU-BTC-Price-Prediction__gru_model.keras"));
            Nd4j.getRandom().setSeed(1);
            gru.fit(new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(DataType.FLOAT, 2, 60, 9), Nd4j.rand(DataType.FLOAT, 2, 1)));
            System.out.println("epoch 1/1: loss 0.1");
        } finally {
            System.setOut(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("Added differentiated op"), "SameDiff's lines are dropped");
        assertTrue(out.contains("epoch 1/1: loss 0.1"), "the program's own lines pass: " + out);
    }
}
