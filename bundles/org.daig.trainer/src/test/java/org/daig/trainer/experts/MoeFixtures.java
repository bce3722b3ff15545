package org.daig.trainer.experts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.daig.experts.Expert;
import org.daig.experts.ExpertGrid;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.experts.dht.LocalDirectory;
import org.daig.experts.gate.BeamSearch;
import org.daig.experts.gate.NegativeCache;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The pieces the layer's tests share: a hand-driven clock, test experts, a layer over a directory without a network. */
final class MoeFixtures {

    static final ExpertGrid GRID = new ExpertGrid("ffn", 4, 4);

    private MoeFixtures() {
    }

    /** Deadlines that fall only when the test moves the clock: timeouts without sleeping. */
    static final class ManualDeadlines implements MixtureOfExperts.Deadlines {
        private record Timer(long due, CompletableFuture<Void> future) {
        }

        private final List<Timer> pending = new ArrayList<>();
        private long now;

        @Override
        public synchronized CompletableFuture<Void> after(long millis) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(new Timer(now + millis, f));
            return f;
        }

        /** Moves the clock on and fires the deadlines that have passed (outside the lock: they run the layer's code). */
        void advance(long millis) {
            List<Timer> due = new ArrayList<>();
            synchronized (this) {
                now += millis;
                pending.removeIf(t -> t.due() <= now && due.add(t));
            }
            due.forEach(t -> t.future().complete(null));
        }
    }

    /** An expert that never answers a forward call; it keeps the calls, to see them cancelled. */
    static final class SilentExpert implements Expert {
        final List<CompletableFuture<Tensor>> forwards = new ArrayList<>();
        int backwards;

        @Override
        public synchronized CompletableFuture<Tensor> forward(Tensor inputs) {
            CompletableFuture<Tensor> f = new CompletableFuture<>();
            forwards.add(f);
            return f;
        }

        @Override
        public synchronized CompletableFuture<Tensor> backward(Tensor inputs, Tensor gradOutputs) {
            backwards++;
            return new CompletableFuture<>();
        }
    }

    /** An expert block that answers backward with its input gradient but takes no step (the gradient check needs fixed experts). */
    static final class FrozenExpert implements Expert {
        final ExpertBlock block;
        Tensor lastInputs;
        Tensor lastGradOutputs;

        FrozenExpert(ExpertBlock block) {
            this.block = block;
        }

        @Override
        public CompletableFuture<Tensor> forward(Tensor inputs) {
            return CompletableFuture.completedFuture(block.forward(inputs));
        }

        @Override
        public synchronized CompletableFuture<Tensor> backward(Tensor inputs, Tensor gradOutputs) {
            lastInputs = inputs;
            lastGradOutputs = gradOutputs;
            return CompletableFuture.completedFuture(tensor(block.gradients(array(inputs), array(gradOutputs))[1]));
        }
    }

    static Map<ExpertUid, ExpertBlock> blocks(int inputs, int hidden, int outputs, double learningRate, long seed) {
        Map<ExpertUid, ExpertBlock> blocks = new HashMap<>();
        for (int i = 0; i < GRID.cells(); i++) {
            blocks.put(GRID.uid(i), new ExpertBlock(inputs, hidden, outputs, learningRate, seed + i));
        }
        return blocks;
    }

    /** A layer over the given experts, all announced in a fresh directory at one address. */
    static MixtureOfExperts layer(Gate gate, Map<ExpertUid, Expert> experts, NegativeCache dead, int outputs,
            MixtureOfExperts.Settings settings, MixtureOfExperts.Deadlines deadlines) {
        LocalDirectory dht = new LocalDirectory();
        ExpertAnnouncer.announce(dht, experts.keySet(), "in-process").join();
        return new MixtureOfExperts(gate, new BeamSearch(dht, GRID, dead), dead, (uid, address) -> experts.get(uid), outputs, settings,
                deadlines);
    }

    static NegativeCache negativeCache() {
        return new NegativeCache(() -> 0L, 60_000);
    }

    static INDArray gaussian(long seed, DataType type, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(type, shape);
    }

    static INDArray array(Tensor t) {
        return Nd4j.createFromArray(t.data()).reshape('c', t.dimension(0), t.dimension(1));
    }

    static Tensor tensor(INDArray a) {
        return new Tensor(new int[] {(int) a.size(0), (int) a.size(1)}, a.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }
}
