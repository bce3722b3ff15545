package org.daig.trainer.keras;

import java.util.List;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** What DAIG's SameDiff layers for Keras sequences (GRU, Conv1D) share. */
final class SameDiffLayers {

    /** The activations they compute, by Keras name. */
    static final List<String> ACTIVATIONS = List.of("tanh", "sigmoid", "relu", "linear");

    private SameDiffLayers() {
    }

    static SDVariable activate(SameDiff sd, String name, SDVariable x) {
        return switch (name) {
        case "tanh" -> sd.math.tanh(x);
        case "sigmoid" -> sd.nn.sigmoid(x);
        case "relu" -> sd.nn.relu(x, 0);
        case "linear" -> x;
        default -> throw new IllegalStateException("activation '" + name + "' is not supported; use one of " + ACTIVATIONS);
        };
    }

    /**
     * The sequence input of layer {@code what}. Sequences arrive as Keras lays them out, [batch,
     * steps, features] (NWC), whatever format the imported input type names: DL4J's Keras import
     * keeps the data in Keras's layout and sets NWC on its own recurrent layers, not on the input type.
     */
    static InputType.InputTypeRecurrent sequence(InputType inputType, String what) {
        if (!(inputType instanceof InputType.InputTypeRecurrent recurrent)) {
            throw new IllegalStateException(what + " needs a sequence input [batch, steps, features], got " + inputType);
        }
        return recurrent;
    }
}
