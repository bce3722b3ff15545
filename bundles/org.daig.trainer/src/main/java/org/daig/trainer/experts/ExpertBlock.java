package org.daig.trainer.experts;

import java.util.Arrays;

import org.daig.experts.BlockSize;
import org.daig.experts.Tensor;
import org.daig.experts.net.ExpertServer;
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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * One expert of a mixture-of-experts layer, as an expert server hosts it (issue 18): a small MLP
 * (Dense+ReLU, then a linear Dense) with its own Adam updater. {@link #forward} answers a batch of
 * inputs; {@link #backward} takes the same inputs and the gradient of the trainer's loss with respect
 * to this expert's outputs, recomputes the forward pass (so the server keeps no state between the two
 * calls, as hivemind's experts do), backpropagates those external errors with DL4J, applies its own
 * optimizer step and returns the gradient with respect to the inputs for the trainer to carry on.
 * Gradients are sums over the batch (the caller's errors already carry its 1/batch), so the network is
 * built with {@code miniBatch(false)}. One call at a time.
 */
public final class ExpertBlock implements ExpertServer.Block {

    private final int inputs;
    private final int outputs;
    private final MultiLayerNetwork net;
    private int steps;

    public ExpertBlock(int inputs, int hidden, int outputs, double learningRate, long seed) {
        this(inputs, hidden, outputs, learningRate, seed, DataType.FLOAT);
    }

    /** With another optimizer than Adam (e.g. {@code new Sgd(0.01)}); the learning rate is the updater's. */
    public ExpertBlock(int inputs, int hidden, int outputs, IUpdater updater, long seed) {
        this(inputs, hidden, outputs, updater, seed, DataType.FLOAT);
    }

    ExpertBlock(int inputs, int hidden, int outputs, double learningRate, long seed, DataType dataType) {
        this(inputs, hidden, outputs, checkedAdam(learningRate), seed, dataType);
    }

    private static IUpdater checkedAdam(double learningRate) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("expert block needs a learning rate > 0, not " + learningRate);
        }
        return new Adam(learningRate);
    }

    private ExpertBlock(int inputs, int hidden, int outputs, IUpdater updater, long seed, DataType dataType) {
        if (inputs < 1 || hidden < 1 || outputs < 1) {
            throw new IllegalArgumentException("expert block needs sizes >= 1, not " + inputs + "/" + hidden + "/" + outputs);
        }
        this.inputs = inputs;
        this.outputs = outputs;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .miniBatch(false)
                .weightInit(WeightInit.XAVIER)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(inputs).nOut(hidden).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(hidden).nOut(outputs).activation(Activation.IDENTITY).build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
    }

    @Override
    public int inputs() {
        return inputs;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    /** How many optimizer steps this expert has taken (one per backward call). */
    public synchronized int steps() {
        return steps;
    }

    /** The outputs for a batch [batch, inputs]. */
    public synchronized INDArray forward(INDArray x) {
        checkInput(x);
        return net.output(x.castTo(net.params().dataType()), false);
    }

    /**
     * Backpropagates {@code gradOutputs} (dLoss/dOutputs, [batch, outputs]) through the expert at
     * inputs {@code x}, takes one optimizer step, and returns dLoss/dInputs as it was before the step.
     */
    public synchronized INDArray backward(INDArray x, INDArray gradOutputs) {
        checkInput(x);
        if (gradOutputs.rank() != 2 || gradOutputs.size(0) != x.size(0) || gradOutputs.size(1) != outputs) {
            throw new IllegalArgumentException("expert block: output gradients have shape " + Arrays.toString(gradOutputs.shape())
                    + ", expected [" + x.size(0) + ", " + outputs + "]");
        }
        Pair<Gradient, INDArray> p = backprop(x, gradOutputs);
        INDArray gradInputs = p.getSecond().dup();
        Gradient g = p.getFirst();
        net.getUpdater().update(net, g, steps, 0, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(g.gradient()); // the updater turned the gradient into the step, in place
        net.clear();
        steps++;
        return gradInputs;
    }

    /** The gradients for parameters and inputs, without a step (the gradient check compares them). */
    synchronized INDArray[] gradients(INDArray x, INDArray gradOutputs) {
        Pair<Gradient, INDArray> p = backprop(x, gradOutputs);
        INDArray[] out = {p.getFirst().gradient().dup(), p.getSecond().dup()};
        net.clear();
        return out;
    }

    private Pair<Gradient, INDArray> backprop(INDArray x, INDArray gradOutputs) {
        DataType type = net.params().dataType();
        net.setInput(x.castTo(type));
        net.feedForward(true, false); // keeps each layer's input for the backward pass
        return net.backpropGradient(gradOutputs.castTo(type), LayerWorkspaceMgr.noWorkspaces());
    }

    /** {@link #forward} on wire tensors: a [batch, inputs] tensor in, a [batch, outputs] tensor out. */
    @Override
    public Tensor forward(Tensor x) {
        return toTensor(forward(toArray(x)));
    }

    /** {@link #backward} on wire tensors. */
    @Override
    public Tensor backward(Tensor x, Tensor gradOutputs) {
        return toTensor(backward(toArray(x), toArray(gradOutputs)));
    }

    /** Parameters of a block {@code width} → {@code hidden} → {@code width}, biases included (the length of {@link #parameters}). */
    public static long parameterCount(int width, int hidden) {
        return new BlockSize(width, hidden).parameters();
    }

    /** The parameters as one flat float vector (for checkpoints and whole-model downloads). */
    @Override
    public synchronized float[] parameters() {
        return net.params().castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    public synchronized void setParameters(float[] values) {
        MoeClassifier.setParams(net, values, "expert block");
    }

    /** Parameters exactly (for the gradient check in double precision). */
    synchronized INDArray params() {
        return net.params();
    }

    private void checkInput(INDArray x) {
        if (x.rank() != 2 || x.size(1) != inputs || x.size(0) < 1) {
            throw new IllegalArgumentException("expert block: inputs have shape " + Arrays.toString(x.shape()) + ", expected [batch, "
                    + inputs + "]");
        }
    }

    private static INDArray toArray(Tensor t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException("expert block: a tensor of rank " + t.rank() + ", expected [batch, features]");
        }
        return Nd4j.createFromArray(t.data()).reshape('c', t.dimension(0), t.dimension(1));
    }

    private static Tensor toTensor(INDArray a) {
        return new Tensor(new int[] {(int) a.size(0), (int) a.size(1)}, a.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }
}
