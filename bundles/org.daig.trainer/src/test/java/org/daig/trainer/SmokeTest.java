package org.daig.trainer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.File;

import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void imports() throws Exception {
        MultiLayerNetwork net = KerasModelImport.importKerasSequentialModelAndWeights(
                new File(System.getProperty("daig.shared.data"), "keras/simple_mlp.h5").getPath(), true);
        assertNotNull(net);
        System.out.println(net.summary());
    }
}
