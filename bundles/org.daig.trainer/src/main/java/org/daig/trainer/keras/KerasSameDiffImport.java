package org.daig.trainer.keras;

import java.util.Arrays;
import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What DAIG's imports of Keras layers as SameDiff layers (GRU, Conv1D, LayerNormalization,
 * Normalization) share: one input, the output type the layer computes, no preprocessor, and the
 * copy of the file's weights: after DL4J's own copy, a SameDiff layer still held its random
 * initial weights (found by the reference forward pass).
 */
abstract class KerasSameDiffImport extends KerasLayer {

    private final String kind;

    KerasSameDiffImport(Map<String, Object> layerConfig, String kind) throws InvalidKerasConfigurationException,
            UnsupportedKerasConfigurationException {
        super(layerConfig, false);
        this.kind = kind;
    }

    /** A refusal naming the layer, e.g. "GRU layer 'gru': ..." */
    String refusal(String what) {
        return kind + " layer '" + layerName + "': " + what;
    }

    @Override
    public InputType getOutputType(InputType... inputType) throws InvalidKerasConfigurationException {
        if (inputType.length != 1) {
            throw new InvalidKerasConfigurationException(refusal("takes one input, not " + inputType.length));
        }
        return layer.getOutputType(-1, inputType[0]);
    }

    @Override
    public InputPreProcessor getInputPreprocessor(InputType... inputType) {
        return null;
    }

    /** Writes the file's values into the layer's parameter views. */
    @Override
    public void copyWeightsToLayer(org.deeplearning4j.nn.api.Layer target) throws InvalidKerasConfigurationException {
        if (weights == null || weights.isEmpty()) {
            throw new InvalidKerasConfigurationException(refusal("has no weights in the file"));
        }
        for (Map.Entry<String, INDArray> weight : weights.entrySet()) {
            INDArray param = target.getParam(weight.getKey());
            if (param == null || param.length() != weight.getValue().length()) {
                throw new InvalidKerasConfigurationException(refusal("weight " + weight.getKey() + " has shape "
                        + Arrays.toString(weight.getValue().shape()) + ", the layer needs " + (param == null ? "none"
                        : Arrays.toString(param.shape()))));
            }
            param.assign(weight.getValue().reshape(param.shape()));
        }
    }

    /** Whether a Keras axis setting is the last axis (-1, alone or in a list, or left out). */
    static boolean lastAxis(Object axis) {
        return axis == null || axis instanceof Number n && n.intValue() == -1
                || axis instanceof java.util.List<?> l && l.size() == 1 && l.get(0) instanceof Number n && n.intValue() == -1;
    }
}
