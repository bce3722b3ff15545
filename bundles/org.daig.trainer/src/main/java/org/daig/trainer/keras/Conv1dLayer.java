package org.daig.trainer.keras;

import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv1DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * Keras's Conv1D (channels last) as a SameDiff layer. Deeplearning4j 1.0.0-M2.1 has a Conv1D,
 * but its backward pass hands the native op a channels-last gradient with a channels-first input
 * ("Op [conv1d_bp] execution failed"), so an imported Conv1D predicts but cannot train. Parameters
 * are Keras's arrays: W = kernel [k, in, filters], b = bias [1, filters].
 */
public final class Conv1dLayer extends SameDiffLayer {

    private static final long serialVersionUID = 1L;

    @JsonProperty
    private long nIn;
    @JsonProperty
    private long filters;
    @JsonProperty
    private long kernel;
    @JsonProperty
    private long stride;
    @JsonProperty
    private long dilation;
    @JsonProperty
    private String padding;
    @JsonProperty
    private String activation;
    @JsonProperty
    private boolean bias;

    /** For Jackson (DL4J's configuration JSON). */
    public Conv1dLayer() {
    }

    Conv1dLayer(String name, long filters, long kernel, long stride, long dilation, String padding, String activation, boolean bias) {
        setLayerName(name);
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.dilation = dilation;
        this.padding = padding;
        this.activation = activation;
        this.bias = bias;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeRecurrent recurrent = recurrent(inputType);
        if (nIn <= 0 || override) {
            nIn = recurrent.getSize();
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeRecurrent recurrent = recurrent(inputType);
        long length = recurrent.getTimeSeriesLength();
        if (length > 0) {
            length = padding.equals("valid") ? (length - dilation * (kernel - 1) - 1) / stride + 1 : (length + stride - 1) / stride;
        }
        return InputType.recurrent(filters, length, RNNFormat.NWC);
    }

    private InputType.InputTypeRecurrent recurrent(InputType inputType) {
        return SameDiffLayers.sequence(inputType, "Conv1D layer '" + getLayerName() + "'");
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("W", kernel, nIn, filters);
        if (bias) {
            params.addBiasParam("b", 1, filters);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        double limit = Math.sqrt(6.0 / (kernel * nIn + kernel * filters)); // Glorot uniform, as Keras
        for (Map.Entry<String, INDArray> p : params.entrySet()) {
            if (p.getKey().equals("b")) {
                p.getValue().assign(0);
            } else {
                p.getValue().assign(org.nd4j.linalg.factory.Nd4j.rand(p.getValue().dataType(), p.getValue().shape())
                        .muli(2 * limit).subi(limit));
            }
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable x = input; // [batch, steps, channels]: see setNIn
        Conv1DConfig config = Conv1DConfig.builder().k(kernel).s(stride).d(dilation).p(0).dataFormat(Conv1DConfig.NWC)
                .paddingMode(switch (padding) {
                case "same" -> PaddingMode.SAME;
                case "causal" -> PaddingMode.CAUSAL;
                default -> PaddingMode.VALID;
                }).build();
        SDVariable y = bias ? sd.cnn().conv1d(x, params.get("W"), params.get("b").reshape(filters), config)
                : sd.cnn().conv1d(x, params.get("W"), config);
        y = SameDiffLayers.activate(sd, activation, y);
        return y;
    }
}
