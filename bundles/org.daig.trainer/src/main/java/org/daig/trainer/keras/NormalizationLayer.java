package org.daig.trainer.keras;

import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras's Normalization preprocessing layer over the last axis: (x − mean) / max(sqrt(variance),
 * 1e-7). Its mean and variance were adapted to the data before saving and are not trained, so they
 * are constants of the configuration here, not parameters: training leaves them as they are, and
 * they travel with the canonical form.
 */
public final class NormalizationLayer extends SameDiffLayer {

    private static final long serialVersionUID = 1L;

    @JsonProperty
    private double[] mean;
    @JsonProperty
    private double[] variance;

    /** For Jackson (DL4J's configuration JSON). */
    public NormalizationLayer() {
    }

    NormalizationLayer(String name) {
        setLayerName(name);
    }

    void setStatistics(double[] mean, double[] variance) {
        this.mean = mean.clone();
        this.variance = variance.clone();
    }

    double[] mean() {
        return mean.clone();
    }

    double[] variance() {
        return variance.clone();
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // nothing to size: the statistics come from the file
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
        // none: the statistics are constants
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // none
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        if (mean == null || variance == null) {
            throw new IllegalStateException("Normalization '" + getLayerName() + "' has no mean and variance: adapt() it before saving");
        }
        float[] scale = new float[variance.length];
        float[] shift = new float[mean.length];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = (float) (1 / Math.max(Math.sqrt(variance[i]), 1e-7));
            shift[i] = (float) mean[i];
        }
        return x.sub(sd.constant(Nd4j.createFromArray(shift))).mul(sd.constant(Nd4j.createFromArray(scale)));
    }
}
