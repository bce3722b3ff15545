package org.daig.trainer.keras;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

import org.daig.trainer.TrainerException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A Keras model imported into DL4J, Sequential (MultiLayerNetwork) or functional
 * (ComputationGraph, one input and one output), behind one small interface.
 */
public final class TrainableModel {

    private final KerasModelFile source;
    private final MultiLayerNetwork network;
    private final ComputationGraph graph;

    private TrainableModel(KerasModelFile source, MultiLayerNetwork network, ComputationGraph graph) {
        this.source = source;
        this.network = network;
        this.graph = graph;
    }

    /** Checks the file (see {@link KerasModelFile}) and imports it with its training configuration. */
    public static TrainableModel load(Path file) throws TrainerException {
        KerasModelFile checked = KerasModelFile.read(file);
        try {
            if (checked.isSequential()) {
                return new TrainableModel(checked, KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), true), null);
            }
            ComputationGraph g = KerasModelImport.importKerasModelAndWeights(file.toString(), true);
            if (g.getNumInputArrays() != 1 || g.getNumOutputArrays() != 1) {
                throw new TrainerException(file + ": has " + g.getNumInputArrays() + " inputs and " + g.getNumOutputArrays()
                        + " outputs; DAIG trains models with one input and one output");
            }
            return new TrainableModel(checked, null, g);
        } catch (UnsupportedKerasConfigurationException e) {
            throw new TrainerException(file + ": Deeplearning4j cannot import it: " + firstLine(e.getMessage()), e);
        } catch (InvalidKerasConfigurationException e) {
            throw new TrainerException(file + ": its configuration is invalid for import: " + firstLine(e.getMessage()), e);
        } catch (IOException | RuntimeException e) {
            throw new TrainerException(file + ": import failed: " + KerasModelFile.rootMessage(e), e);
        }
    }

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

    public void fit(DataSetIterator data) {
        if (network != null) {
            network.fit(data);
        } else {
            graph.fit(data);
        }
    }

    /** The loss on {@code data}, as the network's score (mean over examples, no regularization). */
    public double loss(DataSet data) {
        return network != null ? network.score(data, false) : graph.score(data, false);
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
