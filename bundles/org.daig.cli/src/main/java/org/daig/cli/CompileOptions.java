package org.daig.cli;

import java.util.List;

import picocli.CommandLine.Option;

/**
 * --loss, --optimizer and --lr: how to train a model saved without compile information (or to
 * train it differently from what its file says). A picocli mixin for every command that loads a
 * Keras model.
 */
final class CompileOptions {

    @Option(names = "--loss", paramLabel = "LOSS",
            description = "the loss to train with, e.g. categorical_crossentropy, mse (default: the model file's)")
    String loss;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "the optimizer, e.g. adam, sgd, rmsprop (default: the model file's)")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "the optimizer's learning rate (default: the model file's, or Keras's)")
    Double lr;

    /** The trainer command line's options for these settings. */
    void addTo(List<String> args) {
        TrainerCommands.TrainerCommand.add(args, "--loss", loss);
        TrainerCommands.TrainerCommand.add(args, "--optimizer", optimizer);
        TrainerCommands.TrainerCommand.add(args, "--lr", lr);
    }
}
