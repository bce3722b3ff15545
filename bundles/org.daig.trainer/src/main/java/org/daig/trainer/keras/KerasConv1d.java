package org.daig.trainer.keras;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Imports a Keras Conv1D as a {@link Conv1dLayer}; {@link ImportFixes} renames Conv1D to
 * {@link #CLASS_NAME} so that DL4J's importer takes this class instead of its own.
 */
public final class KerasConv1d extends KerasSameDiffImport {

    static final String CLASS_NAME = "DaigConv1D";

    public KerasConv1d(Map<String, Object> layerConfig) throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        super(layerConfig, "Conv1D");
        Map<String, Object> config = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        String activation = config.get("activation") instanceof String s ? s : "linear";
        if (!SameDiffLayers.ACTIVATIONS.contains(activation)) {
            throw new UnsupportedKerasConfigurationException(refusal("activation '" + activation
                    + "' is not supported; use one of " + SameDiffLayers.ACTIVATIONS));
        }
        String padding = config.get("padding") instanceof String s ? s : "valid";
        if ("channels_first".equals(config.get("data_format")) || Number.class.isInstance(config.get("groups"))
                && ((Number) config.get("groups")).intValue() != 1) {
            throw new UnsupportedKerasConfigurationException("Conv1D layer '" + layerName + "': channels_first and groups > 1 are not "
                    + "supported");
        }
        this.layer = new Conv1dLayer(layerName, ((Number) config.get("filters")).longValue(), first(config.get("kernel_size")),
                first(config.getOrDefault("strides", 1)), first(config.getOrDefault("dilation_rate", 1)), padding, activation,
                !Boolean.FALSE.equals(config.get("use_bias")));
    }

    private static long first(Object value) {
        return value instanceof List<?> list ? ((Number) list.get(0)).longValue() : ((Number) value).longValue();
    }

    @Override
    public int getNumParams() {
        return 2;
    }

    @Override
    public void setWeights(Map<String, INDArray> weights) throws InvalidKerasConfigurationException {
        this.weights = new HashMap<>();
        if (!weights.containsKey("kernel")) {
            throw new InvalidKerasConfigurationException(refusal("has no kernel in the file"));
        }
        this.weights.put("W", weights.get("kernel"));
        if (weights.containsKey("bias")) {
            this.weights.put("b", weights.get("bias").reshape(1, weights.get("bias").length()));
        }
    }
}
