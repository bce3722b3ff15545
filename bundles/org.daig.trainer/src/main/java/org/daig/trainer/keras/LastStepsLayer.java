package org.daig.trainer.keras;

import java.util.Map;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The output of a Keras Bidirectional layer that does not return sequences, taken from the
 * sequences of both directions: the forward half at the last step, the backward half at the first
 * step (where the backward layer ended), merged as the Keras layer merges them.
 *
 * <p>Why: Deeplearning4j 1.0.0-M2.1's Bidirectional around a last-step layer predicts correctly
 * but cannot train (its backward pass reverses a 2-d error as if it were a sequence), so the import
 * keeps the Bidirectional layer returning concatenated sequences and puts this layer after it.
 * Masks are not applied: the steps are the last and first of the padded sequence.
 */
public final class LastStepsLayer extends SameDiffLayer {

    private static final long serialVersionUID = 1L;

    @JsonProperty
    private long units;
    @JsonProperty
    private String mergeMode;

    /** For Jackson (DL4J's configuration JSON). */
    public LastStepsLayer() {
    }

    LastStepsLayer(String name, long units, String mergeMode) {
        setLayerName(name);
        this.units = units;
        this.mergeMode = mergeMode;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sized by the wrapped layer's units
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward("concat".equals(mergeMode) ? 2 * units : units);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // none
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // none
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable mask) {
        // x: [batch, steps, 2 * units] (NWC), forward outputs then backward outputs; the step count may be unknown
        SDVariable forward = sd.reverse(x, 1).get(SDIndex.all(), SDIndex.point(0), SDIndex.interval(0L, units));
        SDVariable backward = x.get(SDIndex.all(), SDIndex.point(0), SDIndex.interval(units, 2 * units));
        return switch (mergeMode) {
        case "concat" -> sd.concat(1, forward, backward);
        case "sum" -> forward.add(backward);
        case "mul" -> forward.mul(backward);
        case "ave" -> forward.add(backward).mul(0.5);
        default -> throw new IllegalStateException("Bidirectional merge_mode " + mergeMode + " is not supported");
        };
    }
}
