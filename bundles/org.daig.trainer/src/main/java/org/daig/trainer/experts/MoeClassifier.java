package org.daig.trainer.experts;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
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
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A whole classifier with a mixture-of-experts layer in the middle (issue 18): inputs → Dense(ReLU)
 * (DL4J, this trainer's) → h + {@link MixtureOfExperts}(h) (gate here, experts wherever they are; a
 * residual block, as the MoE layers of Learning@home's and hivemind's transformers are) → Dense
 * softmax (DL4J, this trainer's). The non-expert layers are two {@code MultiLayerNetwork}s trained the
 * way {@link ExpertBlock} is: forward with each layer's input kept, the top's loss gradient through its
 * own backprop, dLoss/dOutput into the layer's backward, its dLoss/dInputs into the bottom's backprop,
 * and each network's Adam applied by hand. All gradients are of the batch's mean loss
 * ({@code miniBatch(false)} everywhere, the 1/batch applied once at the top), as the layer's experts
 * expect. One step at a time.
 */
public final class MoeClassifier {

    /** What one training step did: the batch's mean loss and how the experts fared. */
    public record Step(double loss, int masked, int chosen, int expertsFailed, int expertsLate) {
    }

    private final MultiLayerNetwork bottom;
    private final MultiLayerNetwork top;
    private final MixtureOfExperts moe;
    private final long timeoutMillis;
    private int steps;

    /**
     * {@code inputs} → {@code hidden} (ReLU) → the layer (gate over {@code hidden} features, experts
     * {@code hidden} → {@code hidden}) → {@code classes}; {@code timeoutMillis} bounds one pass of the layer
     * as a last resort (the layer's own timeouts come first).
     */
    public MoeClassifier(int inputs, int hidden, int classes, MixtureOfExperts moe, double learningRate, long seed, long timeoutMillis) {
        this(inputs, new int[] {hidden}, classes, moe, learningRate, seed, timeoutMillis);
    }

    /** As above with several dense ReLU layers before the mixture ({@code bottom}; the last size is the mixture's width). */
    public MoeClassifier(int inputs, int[] bottom, int classes, MixtureOfExperts moe, double learningRate, long seed, long timeoutMillis) {
        if (bottom.length < 1) {
            throw new IllegalArgumentException("classifier needs at least one dense layer before the mixture of experts");
        }
        this.moe = moe;
        this.timeoutMillis = timeoutMillis;
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).miniBatch(false)
                .weightInit(WeightInit.XAVIER).updater(new Adam(learningRate)).list();
        int in = inputs;
        for (int size : bottom) {
            layers.layer(new DenseLayer.Builder().nIn(in).nOut(size).activation(Activation.RELU).build());
            in = size;
        }
        this.bottom = net(layers.build());
        top = net(new NeuralNetConfiguration.Builder().seed(seed + 1).dataType(DataType.FLOAT).miniBatch(false)
                .weightInit(WeightInit.XAVIER).updater(new Adam(learningRate)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(in).nOut(classes).activation(Activation.SOFTMAX)
                        .build())
                .build());
    }

    private static MultiLayerNetwork net(MultiLayerConfiguration conf) {
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    /** One step on a batch: features [batch, inputs], one-hot labels [batch, classes]. */
    public Step train(INDArray x, INDArray labels) throws ExecutionException, InterruptedException, TimeoutException {
        int batch = (int) x.size(0);
        bottom.setInput(x);
        List<INDArray> acts = bottom.feedForward(true, false); // keeps the dense layer's input for its backprop
        INDArray h = acts.get(acts.size() - 1).dup();
        MixtureOfExperts.Pass pass = moe.forward(h).get(timeoutMillis, TimeUnit.MILLISECONDS);
        INDArray m = pass.output().add(h); // the residual: the layer adds to its input
        INDArray probs = top.output(m, false);
        double loss = -labels.mul(Transforms.log(probs.add(1e-12), false)).sumNumber().doubleValue() / batch;
        Pair<Gradient, INDArray> t = top.calculateGradients(m, labels, null, null);
        Gradient tg = t.getFirst();
        tg.gradient().divi(batch); // the mean over the batch, once, here
        INDArray gradM = t.getSecond().dup().divi(batch);
        step(top, tg, batch);
        MixtureOfExperts.Backward back = moe.backward(pass, gradM).get(timeoutMillis, TimeUnit.MILLISECONDS);
        Pair<Gradient, INDArray> b = bottom.backpropGradient(back.gradInputs().add(gradM), LayerWorkspaceMgr.noWorkspaces());
        step(bottom, b.getFirst(), batch);
        bottom.clear();
        steps++;
        int masked = 0;
        int chosen = 0;
        for (int s = 0; s < pass.batch(); s++) {
            for (int j = 0; j < pass.chosen(s); j++) {
                chosen++;
                masked += pass.answered(s, j) ? 0 : 1;
            }
        }
        return new Step(loss, masked, chosen, back.expertsFailed(), back.expertsLate());
    }

    private void step(MultiLayerNetwork n, Gradient g, int batch) {
        n.getUpdater().update(n, g, steps, 0, batch, LayerWorkspaceMgr.noWorkspaces());
        n.params().subi(g.gradient()); // the updater turned the gradient into the step, in place
    }

    /** Class probabilities [batch, classes] (the layer is called forward only; no expert steps). */
    public INDArray predict(INDArray x) throws ExecutionException, InterruptedException, TimeoutException {
        INDArray h = bottom.output(x, false);
        MixtureOfExperts.Pass pass = moe.forward(h).get(timeoutMillis, TimeUnit.MILLISECONDS);
        return top.output(pass.output().add(h), false);
    }

    public int steps() {
        return steps;
    }

    public MixtureOfExperts layer() {
        return moe;
    }

    /** The dense layers before the mixture, as one flat float vector (a copy). */
    public float[] bottomParameters() {
        return bottom.params().castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** The softmax layer after the mixture, as one flat float vector (a copy). */
    public float[] topParameters() {
        return top.params().castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    public void setBottomParameters(float[] values) {
        setParams(bottom, values, "the layers before the mixture");
    }

    public void setTopParameters(float[] values) {
        setParams(top, values, "the output layer");
    }

    static void setParams(MultiLayerNetwork net, float[] values, String what) {
        if (values.length != net.numParams()) {
            throw new IllegalArgumentException(what + " has " + net.numParams() + " parameters, got " + values.length);
        }
        net.setParams(Nd4j.createFromArray(values).reshape(1, values.length).castTo(net.params().dataType()));
    }
}
