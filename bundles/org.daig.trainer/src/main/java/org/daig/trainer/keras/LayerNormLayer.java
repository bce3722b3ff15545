package org.daig.trainer.keras;

import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras's LayerNormalization over the last axis (its default), which Deeplearning4j's import does
 * not have: (x − mean) / sqrt(variance + epsilon) × gamma + beta, mean and variance over each
 * sample's features. Works on feed-forward and sequence input (Keras's layout, features last).
 */
public final class LayerNormLayer extends SameDiffLayer {

    private static final long serialVersionUID = 1L;

    @JsonProperty
    private long size;
    @JsonProperty
    private double epsilon;
    @JsonProperty
    private boolean center;
    @JsonProperty
    private boolean scale;
    @JsonProperty
    private int rank;

    /** For Jackson (DL4J's configuration JSON). */
    public LayerNormLayer() {
    }

    LayerNormLayer(String name, double epsilon, boolean center, boolean scale) {
        setLayerName(name);
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeRecurrent recurrent) {
            size = recurrent.getSize();
            rank = 3;
        } else if (inputType instanceof InputType.InputTypeFeedForward feedForward) {
            size = feedForward.getSize();
            rank = 2;
        } else {
            throw new IllegalStateException("LayerNormalization '" + getLayerName() + "' takes vectors or sequences, not " + inputType);
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        if (scale) {
            params.addWeightParam("gamma", 1, size);
        }
        if (center) {
            params.addBiasParam("beta", 1, size);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.forEach((name, value) -> value.assign(name.equals("gamma") ? 1 : 0)); // Keras's ones and zeros
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        int last = rank - 1;
        SDVariable mean = x.mean(true, last);
        SDVariable centered = x.sub(mean);
        SDVariable variance = centered.mul(centered).mean(true, last);
        SDVariable y = centered.div(sd.math.sqrt(variance.add(epsilon)));
        if (scale) {
            y = y.mul(params.get("gamma").reshape(size));
        }
        if (center) {
            y = y.add(params.get("beta").reshape(size));
        }
        return y;
    }
}
