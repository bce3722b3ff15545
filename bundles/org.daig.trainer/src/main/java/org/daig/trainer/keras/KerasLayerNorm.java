package org.daig.trainer.keras;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Imports Keras's LayerNormalization (last axis) as a {@link LayerNormLayer}. */
public final class KerasLayerNorm extends KerasLayer {

    public KerasLayerNorm(Map<String, Object> layerConfig) throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, false);
        Map<String, Object> config = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        Object axis = config.get("axis");
        boolean lastAxis = axis == null || axis instanceof Number n && n.intValue() == -1
                || axis instanceof List<?> l && l.size() == 1 && l.get(0) instanceof Number n && n.intValue() == -1;
        if (!lastAxis) {
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
    public InputType getOutputType(InputType... inputType) throws InvalidKerasConfigurationException {
        return inputType[0];
    }

    @Override
    public InputPreProcessor getInputPreprocessor(InputType... inputType) {
        return null;
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

    /** DL4J does not copy weights into SameDiff layers (see KerasGru); this does. */
    @Override
    public void copyWeightsToLayer(org.deeplearning4j.nn.api.Layer target) throws InvalidKerasConfigurationException {
        for (Map.Entry<String, INDArray> weight : weights.entrySet()) {
            INDArray param = target.getParam(weight.getKey());
            if (param == null || param.length() != weight.getValue().length()) {
                throw new InvalidKerasConfigurationException("LayerNormalization '" + layerName + "': weight " + weight.getKey()
                        + " does not fit the layer");
            }
            param.assign(weight.getValue().reshape(param.shape()));
        }
    }
}
