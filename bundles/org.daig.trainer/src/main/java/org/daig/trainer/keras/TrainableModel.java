package org.daig.trainer.keras;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

import org.daig.trainer.TrainerException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.google.gson.JsonObject;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A Keras model imported into DL4J, Sequential (MultiLayerNetwork) or functional
 * (ComputationGraph, one input and one output), behind one small interface.
 */
public final class TrainableModel {

    static {
        // Deeplearning4j has no GRU; GruLayer is DAIG's (the name is Keras's class name)
        org.deeplearning4j.nn.modelimport.keras.KerasLayer.registerCustomLayer("GRU", KerasGru.class);
        org.deeplearning4j.nn.modelimport.keras.KerasLayer.registerCustomLayer(KerasConv1d.CLASS_NAME, KerasConv1d.class);
        org.deeplearning4j.nn.modelimport.keras.KerasLayer.registerCustomLayer("LayerNormalization", KerasLayerNorm.class);
        org.deeplearning4j.nn.modelimport.keras.KerasLayer.registerCustomLayer("Normalization", KerasNormalization.class);
        org.deeplearning4j.nn.modelimport.keras.KerasLayer.registerCustomLayer(KerasLastSteps.CLASS_NAME, KerasLastSteps.class);
    }

    private final KerasModelFile source;
    private final ModelFacts facts;
    private final MultiLayerNetwork network;
    private final ComputationGraph graph;
    private int outputSize = -1;

    private TrainableModel(KerasModelFile source, ModelFacts facts, MultiLayerNetwork network, ComputationGraph graph) {
        this.source = source;
        this.facts = facts;
        this.network = network;
        this.graph = graph;
    }

    private TrainableModel(KerasModelFile source, MultiLayerNetwork network, ComputationGraph graph) {
        this(source, source, network, graph);
    }

    /**
     * Builds the network from a {@link CanonicalModel} file: JSON only, no HDF5. The weights are
     * DL4J's initial ones until the caller sets the round's parameters.
     */
    public static TrainableModel loadCanonical(Path file) throws TrainerException {
        CanonicalModel.Facts facts = CanonicalModel.read(file);
        try {
            TrainableModel model;
            if (facts.isSequential()) {
                MultiLayerNetwork n = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(facts.dl4jConfiguration()));
                n.init();
                model = new TrainableModel(null, facts, n, null);
            } else {
                ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(facts.dl4jConfiguration()));
                g.init();
                model = new TrainableModel(null, facts, null, g);
            }
            if (facts.params() >= 0 && model.numParams() != facts.params()) {
                throw new TrainerException(file + ": the configuration makes " + model.numParams() + " parameters, the file says "
                        + facts.params());
            }
            return model;
        } catch (RuntimeException e) {
            throw new TrainerException(file + ": Deeplearning4j cannot build the canonical model: " + KerasModelFile.rootMessage(e), e);
        }
    }

    /** DL4J's JSON configuration of this network (what {@link CanonicalModel} carries). */
    public String configurationJson() {
        return network != null ? network.getLayerWiseConfigurations().toJson() : graph.getConfiguration().toJson();
    }

    /** What training needs to know besides the network. */
    public ModelFacts facts() {
        return facts;
    }

    /** Checks the file (see {@link KerasModelFile}) and imports it with its training configuration. */
    public static TrainableModel load(Path file) throws TrainerException {
        return load(file, CompileSettings.FROM_FILE);
    }

    /**
     * Checks a Keras 2 .h5, Keras 3 .keras or Keras 3 .h5 file (see {@link KerasModelFile}) and
     * imports it, trained with the file's loss and optimizer or those {@code settings} name.
     */
    public static TrainableModel load(Path file, CompileSettings settings) throws TrainerException {
        try (KerasModelFile checked = KerasModelFile.read(file, settings)) {
            JsonObject fixed = ImportFixes.apply(checked.modelConfig());
            if (checked.fromLogits()) {
                ImportFixes.logitsToProbabilities(fixed, checked.lossName(), file);
            }
            // DL4J reads the Keras version from the JSON when it is given JSON (as model.to_json() writes it).
            fixed.addProperty("keras_version", checked.importVersion());
            fixed.addProperty("backend", checked.backend());
            try (KerasModelBuilder builder = new KerasModel().modelBuilder().modelHdf5Filename(checked.weightsFile().toString())
                    .enforceTrainingConfig(true)) {
                builder.modelJson(fixed.toString());
                builder.trainingJson(checked.trainingConfig().toString());
                TrainableModel model;
                if (checked.isSequential()) {
                    MultiLayerNetwork n = builder.buildSequential().getMultiLayerNetwork();
                    dropNoOpDropout(n.getLayers());
                    model = new TrainableModel(checked, n, null);
                } else {
                    ComputationGraph g = builder.buildModel().getComputationGraph();
                    dropNoOpDropout(g.getLayers());
                    if (g.getNumInputArrays() != 1 || g.getNumOutputArrays() != 1) {
                        throw new TrainerException(file + ": has " + g.getNumInputArrays() + " inputs and " + g.getNumOutputArrays()
                                + " outputs; DAIG trains models with one input and one output");
                    }
                    model = new TrainableModel(checked, null, g);
                }
                if (checked.weightCount() >= 0 && checked.weightCount() != model.numParams()) {
                    throw new TrainerException(file + ": its weights do not fit its configuration (the layers need " + model.numParams()
                            + " values, the file holds " + checked.weightCount() + "): save the model again with model.save('model.keras')");
                }
                model.addWeightDecay(checked.weightDecay());
                return model;
            } catch (UnsupportedKerasConfigurationException e) {
                throw new TrainerException(file + ": Deeplearning4j cannot import it: " + firstLine(e.getMessage()), e);
            } catch (InvalidKerasConfigurationException e) {
                throw new TrainerException(file + ": its configuration is invalid for import: " + firstLine(e.getMessage()), e);
            } catch (IOException | RuntimeException e) {
                throw new TrainerException(file + ": import failed: " + KerasModelFile.rootMessage(e), e);
            }
        }
    }

    /**
     * Keras's AdamW (and any optimizer given a weight_decay) shrinks every weight by lr x decay per
     * step apart from the gradient step: DL4J's WeightDecay with applyLR does exactly that.
     */
    private void addWeightDecay(double decay) {
        if (decay <= 0) {
            return;
        }
        for (org.deeplearning4j.nn.api.Layer layer : network != null ? network.getLayers() : graph.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer config = layer.conf().getLayer();
            java.util.List<org.nd4j.linalg.learning.regularization.Regularization> decayOnly =
                    java.util.List.of(new org.nd4j.linalg.learning.regularization.WeightDecay(decay, true));
            if (config instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base) {
                base.setRegularization(decayOnly);
            } else if (config instanceof org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer sameDiff) {
                sameDiff.setRegularization(decayOnly);
            }
        }
    }

    /**
     * DL4J's Keras import gives every layer a Dropout that keeps all activations (p = 1.0). It does
     * nothing forward, but backprop still multiplies by its mask, and for channels-last (NHWC)
     * convolutions that multiply fails on the mask's shape ("Output array did not match expected
     * shape"): the imported CNN could predict but not train. Removing it changes no output.
     */
    private static void dropNoOpDropout(org.deeplearning4j.nn.api.Layer[] layers) {
        for (org.deeplearning4j.nn.api.Layer layer : layers) {
            org.deeplearning4j.nn.conf.layers.Layer config = layer.conf().getLayer();
            dropNoOpDropout(config);
            if (config instanceof org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional bidirectional) {
                // the two copies of a Bidirectional's layer carry their own (they fail in backprop even at rate 0)
                dropNoOpDropout(bidirectional.getFwd());
                dropNoOpDropout(bidirectional.getBwd());
            }
        }
    }

    private static void dropNoOpDropout(org.deeplearning4j.nn.conf.layers.Layer config) {
        if (config.getIDropout() instanceof org.deeplearning4j.nn.conf.dropout.Dropout dropout
                && dropout.getP() == 1.0 && dropout.getPSchedule() == null) {
            config.setIDropout(null);
        }
    }

    /** The Keras file this was imported from; null for a model built from its canonical form. */
    public KerasModelFile source() {
        return source;
    }

    public Model model() {
        return network != null ? network : graph;
    }

    public long numParams() {
        return network != null ? network.numParams() : graph.numParams();
    }

    /** A copy of the flat parameter vector ({@code params()} is a live view). */
    public INDArray paramsCopy() {
        return (network != null ? network.params() : graph.params()).dup();
    }

    /**
     * Draws every parameter afresh, as an untrained model of this architecture: each layer's
     * weights from its initializer with this seed, biases and normalization as new.
     */
    public void reinitialize(long seed) {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(seed);
        if (network != null) {
            MultiLayerConfiguration conf = network.getLayerWiseConfigurations().clone();
            conf.getConfs().forEach(layer -> layer.setSeed(seed));
            MultiLayerNetwork fresh = new MultiLayerNetwork(conf);
            fresh.init();
            network.setParams(fresh.params());
        } else {
            ComputationGraphConfiguration conf = graph.getConfiguration().clone();
            conf.getDefaultConfiguration().setSeed(seed);
            conf.getVertices().values().forEach(vertex -> {
                if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex layer) {
                    layer.getLayerConf().setSeed(seed);
                }
            });
            ComputationGraph fresh = new ComputationGraph(conf);
            fresh.init();
            graph.setParams(fresh.params());
        }
    }

    public void setParams(INDArray params) {
        if (network != null) {
            network.setParams(params);
        } else {
            graph.setParams(params);
        }
    }

    public INDArray output(INDArray input) {
        return network != null ? network.output(input, false) : graph.outputSingle(false, input);
    }

    /**
     * Forgets the optimizer's state (Adam's moments, the iteration count its bias correction
     * uses): every task starts from its round's parameters alone, so the same task with the same
     * seed gives the same delta on any worker, whatever it ran before.
     */
    public void resetOptimizer() {
        if (network != null) {
            org.deeplearning4j.nn.api.Updater updater = network.getUpdater();
            if (updater != null && updater.getStateViewArray() != null) {
                updater.getStateViewArray().assign(0);
            }
            network.setIterationCount(0);
            network.setEpochCount(0);
        } else {
            org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater updater = graph.getUpdater();
            if (updater != null && updater.getStateViewArray() != null) {
                updater.getStateViewArray().assign(0);
            }
            graph.getConfiguration().setIterationCount(0);
            graph.getConfiguration().setEpochCount(0);
        }
    }

    /** One optimizer step on one minibatch. */
    public void fit(DataSet minibatch) {
        if (network != null) {
            network.fit(minibatch);
        } else {
            graph.fit(minibatch);
        }
    }

    /** The loss on {@code data}, as the network's score (mean over examples, no regularization). */
    public double loss(DataSet data) {
        return network != null ? network.score(data, false) : graph.score(data, false);
    }

    /** Values the model outputs per sample (from a forward pass on one zero sample). */
    public int outputSize() {
        if (outputSize < 0) {
            long[] in = facts.inputShape();
            long[] shape = new long[in == null ? 2 : in.length + 1];
            shape[0] = 1;
            for (int i = 1; i < shape.length; i++) {
                shape[i] = in == null ? 1 : Math.max(1, in[i - 1]);
            }
            INDArray out = output(org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape));
            outputSize = (int) (out.length() / out.size(0));
        }
        return outputSize;
    }

    /** Whether it is a Sequential model (a DL4J MultiLayerNetwork). */
    public MultiLayerNetwork network() {
        return network;
    }

    public ComputationGraph graph() {
        return graph;
    }

    public String summary() {
        return network != null ? network.summary() : graph.summary();
    }

    public void saveZip(Path file) throws IOException {
        ModelSerializer.writeModel(model(), new File(file.toString()), true);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
