package org.daig.trainer.keras;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras's GRU for Deeplearning4j, which has none. The parameters are Keras's own arrays, in
 * Keras's layout: W = kernel [nIn, 3u], RW = recurrent_kernel [u, 3u] and b = bias ([2, 3u] with
 * {@code reset_after}, Keras 3's default; [1, 3u] without), gates in Keras's order z, r, h. (DL4J's
 * updater splits gradient keys at an underscore, so the names are DL4J's short ones.) The time
 * loop is unrolled into a SameDiff graph, so gradients come from SameDiff's automatic
 * differentiation and the sequence length must be fixed. Masks are not applied.
 */
public final class GruLayer extends SameDiffLayer {

    private static final long serialVersionUID = 1L;
    static final String KERNEL = "W";
    static final String RECURRENT_KERNEL = "RW";
    static final String BIAS = "b";

    @JsonProperty
    private long nIn;
    @JsonProperty
    private long units;
    @JsonProperty
    private long timeSteps;
    @JsonProperty
    private boolean resetAfter;
    @JsonProperty
    private boolean returnSequences;
    @JsonProperty
    private boolean goBackwards;
    @JsonProperty
    private String activation;
    @JsonProperty
    private String recurrentActivation;

    /** For Jackson (DL4J's configuration JSON). */
    public GruLayer() {
    }

    GruLayer(String name, long units, boolean resetAfter, boolean returnSequences, boolean goBackwards, String activation,
            String recurrentActivation) {
        setLayerName(name);
        this.units = units;
        this.resetAfter = resetAfter;
        this.returnSequences = returnSequences;
        this.goBackwards = goBackwards;
        this.activation = activation;
        this.recurrentActivation = recurrentActivation;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeRecurrent recurrent = recurrent(inputType);
        if (nIn <= 0 || override) {
            nIn = recurrent.getSize();
        }
        timeSteps = recurrent.getTimeSeriesLength();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeRecurrent recurrent = recurrent(inputType);
        return returnSequences ? InputType.recurrent(units, recurrent.getTimeSeriesLength(), RNNFormat.NWC)
                : InputType.feedForward(units);
    }

    private InputType.InputTypeRecurrent recurrent(InputType inputType) {
        InputType.InputTypeRecurrent recurrent = SameDiffLayers.sequence(inputType, "GRU layer '" + getLayerName() + "'");
        if (recurrent.getTimeSeriesLength() <= 0) {
            throw new IllegalStateException("GRU layer '" + getLayerName() + "' needs a fixed sequence length; give the model's "
                    + "Input a shape such as (60, 9) instead of (None, 9)");
        }
        return recurrent;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(KERNEL, nIn, 3 * units);
        params.addWeightParam(RECURRENT_KERNEL, units, 3 * units);
        params.addBiasParam(BIAS, resetAfter ? 2 : 1, 3 * units);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // Glorot uniform for the kernels and zero biases, as Keras initializes (orthogonal aside):
        // an imported layer's values are overwritten by the file's anyway.
        for (Map.Entry<String, INDArray> p : params.entrySet()) {
            if (p.getKey().equals(BIAS)) {
                p.getValue().assign(0);
            } else {
                double limit = Math.sqrt(6.0 / (p.getValue().size(0) + p.getValue().size(1)));
                p.getValue().assign(org.nd4j.linalg.factory.Nd4j.rand(p.getValue().dataType(), p.getValue().shape())
                        .muli(2 * limit).subi(limit));
            }
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable x = input; // [batch, time, features]: see setNIn
        SDVariable kernel = params.get(KERNEL);
        SDVariable recurrentKernel = params.get(RECURRENT_KERNEL);
        SDVariable bias = params.get(BIAS);
        // one row without reset_after: a reshape (the gradient of a slice of a [1, n] parameter fails in SameDiff)
        SDVariable inputBias = resetAfter ? bias.get(SDIndex.point(0), SDIndex.all()) : bias.reshape(3 * units);
        // one matrix product for every time step's input projection
        SDVariable projected = x.reshape(-1L, nIn).mmul(kernel).add(inputBias).reshape(-1L, timeSteps, 3 * units);
        SDVariable h = null;
        List<SDVariable> outputs = new ArrayList<>();
        for (int step = 0; step < timeSteps; step++) {
            long t = goBackwards ? timeSteps - 1 - step : step;
            SDVariable xt = projected.get(SDIndex.all(), SDIndex.point(t), SDIndex.all());
            SDVariable xz = gate(xt, 0);
            SDVariable xr = gate(xt, 1);
            SDVariable xh = gate(xt, 2);
            if (h == null) {
                h = sd.zerosLike(xz);
            }
            SDVariable z;
            SDVariable r;
            SDVariable candidate;
            if (resetAfter) {
                SDVariable inner = h.mmul(recurrentKernel).add(bias.get(SDIndex.point(1), SDIndex.all()));
                z = SameDiffLayers.activate(sd, recurrentActivation, xz.add(gate(inner, 0)));
                r = SameDiffLayers.activate(sd, recurrentActivation, xr.add(gate(inner, 1)));
                candidate = SameDiffLayers.activate(sd, activation, xh.add(r.mul(gate(inner, 2))));
            } else {
                // whole products, then the gates' columns: SameDiff's gradient of a sliced parameter fails
                SDVariable zr = h.mmul(recurrentKernel);
                z = SameDiffLayers.activate(sd, recurrentActivation, xz.add(gate(zr, 0)));
                r = SameDiffLayers.activate(sd, recurrentActivation, xr.add(gate(zr, 1)));
                SDVariable hh = gate(r.mul(h).mmul(recurrentKernel), 2);
                candidate = SameDiffLayers.activate(sd, activation, xh.add(hh));
            }
            h = candidate.add(z.mul(h.sub(candidate))); // z * h + (1 - z) * candidate
            if (returnSequences) {
                outputs.add(h);
            }
        }
        if (!returnSequences) {
            return h;
        }
        SDVariable sequence = sd.stack(1, outputs.toArray(new SDVariable[0])); // [batch, time, units]
        return sequence;
    }

    private SDVariable gate(SDVariable threeGates, int index) {
        return threeGates.get(SDIndex.all(), SDIndex.interval(index * units, (index + 1) * units));
    }


    public long getUnits() {
        return units;
    }
}
