package org.daig.trainer.keras;

import java.util.HashMap;
import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Imports a Keras GRU layer (registered with Deeplearning4j's Keras import as a custom layer) as a
 * {@link GruLayer}. Weights arrive under Keras's names (kernel, recurrent_kernel, bias).
 */
public final class KerasGru extends KerasLayer {

    public KerasGru(Map<String, Object> layerConfig) throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, false);
        Map<String, Object> config = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        String activation = string(config, "activation", "tanh");
        String recurrentActivation = string(config, "recurrent_activation", "sigmoid");
        for (String a : new String[] { activation, recurrentActivation }) {
            if (!GruLayer.ACTIVATIONS.contains(a)) {
                throw new UnsupportedKerasConfigurationException("GRU layer '" + layerName + "': activation '" + a
                        + "' is not supported; use one of " + GruLayer.ACTIVATIONS);
            }
        }
        if (Boolean.TRUE.equals(config.get("stateful"))) {
            throw new UnsupportedKerasConfigurationException("GRU layer '" + layerName + "' is stateful; DAIG trains stateless layers");
        }
        if (Boolean.FALSE.equals(config.get("use_bias"))) {
            throw new UnsupportedKerasConfigurationException("GRU layer '" + layerName + "' has use_bias=False, which is not supported");
        }
        long units = ((Number) config.get("units")).longValue();
        this.layer = new GruLayer(layerName, units, !Boolean.FALSE.equals(config.get("reset_after")),
                Boolean.TRUE.equals(config.get("return_sequences")), Boolean.TRUE.equals(config.get("go_backwards")), activation,
                recurrentActivation);
    }

    private static String string(Map<String, Object> config, String key, String otherwise) {
        Object value = config.get(key);
        return value instanceof String s ? s : otherwise;
    }

    @Override
    public int getNumParams() {
        return 3;
    }

    @Override
    public InputType getOutputType(InputType... inputType) throws InvalidKerasConfigurationException {
        if (inputType.length != 1) {
            throw new InvalidKerasConfigurationException("GRU layer '" + layerName + "' takes one input");
        }
        return layer.getOutputType(-1, inputType[0]);
    }

    @Override
    public InputPreProcessor getInputPreprocessor(InputType... inputType) {
        return null;
    }

    @Override
    public void setWeights(Map<String, INDArray> weights) throws InvalidKerasConfigurationException {
        this.weights = new HashMap<>();
        Map<String, String> names = Map.of("kernel", GruLayer.KERNEL, "recurrent_kernel", GruLayer.RECURRENT_KERNEL, "bias", GruLayer.BIAS);
        for (Map.Entry<String, String> name : names.entrySet()) {
            INDArray value = weights.get(name.getKey());
            if (value == null) {
                throw new InvalidKerasConfigurationException("GRU layer '" + layerName + "' has no weight '" + name.getKey() + "' in the file");
            }
            this.weights.put(name.getValue(), value.rank() == 1 ? value.reshape(1, value.length()) : value);
        }
    }

    /**
     * Writes the file's values into the layer's parameter views: DL4J's own copy goes through
     * setParam, which a SameDiff layer ignores, leaving the random initial weights in place.
     */
    @Override
    public void copyWeightsToLayer(org.deeplearning4j.nn.api.Layer target) throws InvalidKerasConfigurationException {
        if (weights == null || weights.isEmpty()) {
            throw new InvalidKerasConfigurationException("GRU layer '" + layerName + "' has no weights in the file");
        }
        for (Map.Entry<String, INDArray> weight : weights.entrySet()) {
            INDArray param = target.getParam(weight.getKey());
            if (param == null || param.length() != weight.getValue().length()) {
                throw new InvalidKerasConfigurationException("GRU layer '" + layerName + "': weight " + weight.getKey() + " has shape "
                        + java.util.Arrays.toString(weight.getValue().shape()) + ", the layer needs "
                        + (param == null ? "none" : java.util.Arrays.toString(param.shape())));
            }
            param.assign(weight.getValue().reshape(param.shape()));
        }
    }
}
