package org.daig.trainer.keras;

import java.util.HashMap;
import java.util.Map;

import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Imports Keras's LayerNormalization (last axis) as a {@link LayerNormLayer}. */
public final class KerasLayerNorm extends KerasSameDiffImport {

    public KerasLayerNorm(Map<String, Object> layerConfig) throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, "LayerNormalization");
        Map<String, Object> config = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        Object axis = config.get("axis");
        if (!lastAxis(axis)) {
            throw new UnsupportedKerasConfigurationException("LayerNormalization '" + layerName + "' normalizes over axis " + axis
                    + "; DAIG supports the last axis (-1, Keras's default)");
        }
        double epsilon = config.get("epsilon") instanceof Number e ? e.doubleValue() : 1e-3;
        this.layer = new LayerNormLayer(layerName, epsilon, !Boolean.FALSE.equals(config.get("center")),
                !Boolean.FALSE.equals(config.get("scale")));
    }

    @Override
    public int getNumParams() {
        return 2;
    }

    @Override
    public void setWeights(Map<String, INDArray> weights) {
        this.weights = new HashMap<>();
        for (String name : new String[] { "gamma", "beta" }) {
            if (weights.containsKey(name)) {
                this.weights.put(name, weights.get(name).reshape(1, weights.get(name).length()));
            }
        }
    }
}
