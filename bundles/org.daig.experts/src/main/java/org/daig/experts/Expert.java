package org.daig.experts;

import java.util.concurrent.CompletableFuture;

/**
 * A call to one expert of a mixture-of-experts layer, in-process or on another machine: the trainer's
 * layer talks to every expert through this, so a remote implementation (frames in {@link TensorFrame}
 * format) replaces the in-process one without touching the layer. The expert keeps nothing between the
 * two calls: {@code backward} gets the inputs again.
 */
public interface Expert {

    /** The outputs [batch, outputs] for inputs [batch, inputs]; completes exceptionally when the call fails. */
    CompletableFuture<Tensor> forward(Tensor inputs);

    /**
     * Backpropagates {@code gradOutputs} (dLoss/dOutputs, [batch, outputs]) at {@code inputs}; the expert
     * takes its own optimizer step and answers dLoss/dInputs [batch, inputs].
     */
    CompletableFuture<Tensor> backward(Tensor inputs, Tensor gradOutputs);

    /**
     * The expert's parameters as one flat vector, for a whole-model download; an expert that cannot
     * share them fails the future.
     */
    default CompletableFuture<float[]> parameters() {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("expert " + this + " does not share its parameters"));
    }
}
