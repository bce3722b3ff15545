package org.daig.trainer.keras;

import java.util.HashMap;
import java.util.Map;

import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Imports a Keras GRU layer (registered with Deeplearning4j's Keras import as a custom layer) as a
 * {@link GruLayer}. Weights arrive under Keras's names (kernel, recurrent_kernel, bias).
 */
public final class KerasGru extends KerasSameDiffImport {

    public KerasGru(Map<String, Object> layerConfig) throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, "GRU");
        Map<String, Object> config = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        String activation = string(config, "activation", "tanh");
        String recurrentActivation = string(config, "recurrent_activation", "sigmoid");
        for (String a : new String[] { activation, recurrentActivation }) {
            if (!SameDiffLayers.ACTIVATIONS.contains(a)) {
                throw new UnsupportedKerasConfigurationException(refusal("activation '" + a
                        + "' is not supported; use one of " + SameDiffLayers.ACTIVATIONS));
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
    public void setWeights(Map<String, INDArray> weights) throws InvalidKerasConfigurationException {
        this.weights = new HashMap<>();
        Map<String, String> names = Map.of("kernel", GruLayer.KERNEL, "recurrent_kernel", GruLayer.RECURRENT_KERNEL, "bias", GruLayer.BIAS);
        for (Map.Entry<String, String> name : names.entrySet()) {
            INDArray value = weights.get(name.getKey());
            if (value == null) {
                throw new InvalidKerasConfigurationException(refusal("has no weight '" + name.getKey() + "' in the file"));
            }
            this.weights.put(name.getValue(), value.rank() == 1 ? value.reshape(1, value.length()) : value);
        }
    }
}
