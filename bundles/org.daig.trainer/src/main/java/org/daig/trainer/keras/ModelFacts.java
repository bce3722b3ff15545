package org.daig.trainer.keras;

/**
 * What training needs to know about a model beyond its DL4J network: the input shape and the loss
 * (to check and shape the data) and what it was (for status lines). A Keras file knows it, and so
 * does the canonical form the coordinator hands providers.
 */
public interface ModelFacts {

    /** The input shape without the batch dimension, -1 for a free dimension; null if unknown. */
    long[] inputShape();

    /** The Keras loss name, e.g. categorical_crossentropy. */
    String lossName();

    /** Sequential (a DL4J MultiLayerNetwork) or functional (a ComputationGraph). */
    boolean isSequential();

    String kerasVersion();

    String modelClass();

    /** The Keras optimizer's class name, or null. */
    String optimizerName();
}
