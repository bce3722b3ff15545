package org.daig.trainer.experts;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.daig.experts.Expert;
import org.daig.experts.Tensor;

/**
 * An {@link ExpertBlock} in this JVM behind the {@link Expert} call interface: each call runs on the
 * executor, so a layer's calls to different experts run in parallel (calls to one block queue on its
 * lock). For tests, and for running a whole model in one JVM.
 */
public final class LocalExpert implements Expert {

    private final ExpertBlock block;
    private final Executor executor;

    public LocalExpert(ExpertBlock block, Executor executor) {
        this.block = block;
        this.executor = executor;
    }

    public ExpertBlock block() {
        return block;
    }

    @Override
    public CompletableFuture<Tensor> forward(Tensor inputs) {
        return CompletableFuture.supplyAsync(() -> block.forward(inputs), executor);
    }

    @Override
    public CompletableFuture<Tensor> backward(Tensor inputs, Tensor gradOutputs) {
        return CompletableFuture.supplyAsync(() -> block.backward(inputs, gradOutputs), executor);
    }

    @Override
    public CompletableFuture<float[]> parameters() {
        return CompletableFuture.completedFuture(block.parameters());
    }
}
