package org.daig.trainer.experts;

import java.util.Arrays;

import org.daig.experts.ExpertGrid;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The gate of a mixture-of-experts layer: one linear DL4J dense layer that scores every index of every
 * grid dimension at once ([batch, inputs] → [batch, sum of the grid's sizes]; dimension {@code d}'s
 * scores follow those of the dimensions before it), as hivemind's gate does. An expert's score is the
 * sum of its coordinates' scores. Trained from external errors with its own Adam, like
 * {@link ExpertBlock}: gradients are sums over the batch ({@code miniBatch(false)}). One call at a time.
 */
public final class Gate {

    private final ExpertGrid grid;
    private final int inputs;
    private final int[] offsets;
    private final int scores;
    private final MultiLayerNetwork net;
    private int steps;

    public Gate(int inputs, ExpertGrid grid, double learningRate, long seed) {
        this(inputs, grid, learningRate, seed, DataType.FLOAT);
    }

    Gate(int inputs, ExpertGrid grid, double learningRate, long seed, DataType dataType) {
        if (inputs < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("gate needs inputs >= 1 and a learning rate > 0, not " + inputs + ", " + learningRate);
        }
        this.grid = grid;
        this.inputs = inputs;
        offsets = new int[grid.dimensions()];
        int total = 0;
        for (int d = 0; d < offsets.length; d++) {
            offsets[d] = total;
            total += grid.size(d);
        }
        scores = total;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .miniBatch(false)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(learningRate))
                .list()
                .layer(new DenseLayer.Builder().nIn(inputs).nOut(total).activation(Activation.IDENTITY).build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
    }

    public ExpertGrid grid() {
        return grid;
    }

    public int inputs() {
        return inputs;
    }

    /** Where dimension {@code d}'s scores start in a row of {@link #scores}. */
    public int offset(int dimension) {
        return offsets[dimension];
    }

    /** The type the gate computes in (and the layer's outputs have). */
    public DataType dataType() {
        return net.params().dataType();
    }

    public synchronized int steps() {
        return steps;
    }

    /** The scores [batch, sum of the grid's sizes] for inputs [batch, inputs]. */
    public synchronized INDArray scores(INDArray x) {
        checkInput(x);
        return net.output(x.castTo(dataType()), false);
    }

    /**
     * Backpropagates dLoss/dScores at {@code x}, takes one optimizer step, and returns dLoss/dInputs (as
     * before the step).
     */
    public INDArray backward(INDArray x, INDArray gradScores) {
        return backward(x, gradScores, true)[1];
    }

    /** {parameter gradient, input gradient}, both as before the step; {@code step} false leaves the gate unchanged. */
    synchronized INDArray[] backward(INDArray x, INDArray gradScores, boolean step) {
        checkInput(x);
        if (gradScores.rank() != 2 || gradScores.size(0) != x.size(0) || gradScores.size(1) != scores) {
            throw new IllegalArgumentException("gate: score gradients have shape " + Arrays.toString(gradScores.shape()) + ", expected ["
                    + x.size(0) + ", " + scores + "]");
        }
        DataType type = dataType();
        net.setInput(x.castTo(type));
        net.feedForward(true, false); // keeps the layer's input for the backward pass
        Pair<Gradient, INDArray> p = net.backpropGradient(gradScores.castTo(type), LayerWorkspaceMgr.noWorkspaces());
        INDArray[] out = {p.getFirst().gradient().dup(), p.getSecond().dup()};
        if (step) {
            Gradient g = p.getFirst();
            net.getUpdater().update(net, g, steps, 0, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces());
            net.params().subi(g.gradient()); // the updater turned the gradient into the step, in place
            steps++;
        }
        net.clear();
        return out;
    }

    /** The parameters as one flat float vector (a copy, for the model file). */
    public synchronized float[] parameterVector() {
        return net.params().castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    public synchronized void setParameters(float[] values) {
        MoeClassifier.setParams(net, values, "gate");
    }

    /** The parameters themselves (the gradient check perturbs them). */
    synchronized INDArray params() {
        return net.params();
    }

    private void checkInput(INDArray x) {
        if (x.rank() != 2 || x.size(1) != inputs || x.size(0) < 1) {
            throw new IllegalArgumentException("gate: inputs have shape " + Arrays.toString(x.shape()) + ", expected [batch, " + inputs
                    + "]");
        }
    }
}
