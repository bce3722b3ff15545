package org.daig.trainer.keras;

import java.util.Map;

import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Imports Keras's Normalization (last axis, not inverted) as a {@link NormalizationLayer} with the file's mean and variance. */
public final class KerasNormalization extends KerasSameDiffImport {

    public KerasNormalization(Map<String, Object> layerConfig) throws InvalidKerasConfigurationException,
            UnsupportedKerasConfigurationException {
        super(layerConfig, "Normalization");
        Map<String, Object> config = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        if (!lastAxis(config.get("axis")) || Boolean.TRUE.equals(config.get("invert"))) {
            throw new UnsupportedKerasConfigurationException("Normalization '" + layerName + "': DAIG supports the last axis (-1) "
                    + "without invert");
        }
        this.layer = new NormalizationLayer(layerName);
    }

    @Override
    public int getNumParams() {
        return 3; // mean, variance, count: read from the file, kept as constants
    }

    @Override
    public void setWeights(Map<String, INDArray> weights) throws InvalidKerasConfigurationException {
        INDArray mean = weights.get("mean");
        INDArray variance = weights.get("variance");
        if (mean == null || variance == null) {
            throw new InvalidKerasConfigurationException("Normalization '" + layerName + "' has no mean and variance in the file: "
                    + "adapt() it before saving");
        }
        ((NormalizationLayer) layer).setStatistics(mean.castTo(DataType.DOUBLE).data().asDouble(),
                variance.castTo(DataType.DOUBLE).data().asDouble());
    }

    @Override
    public void copyWeightsToLayer(org.deeplearning4j.nn.api.Layer target) {
        // the statistics are in the layer's configuration already (setWeights)
    }
}
