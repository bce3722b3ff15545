package org.daig.api.project;

/**
 * The progress event published after each round: a new model version and how it does on the
 * validation set. Loss and accuracy are NaN until the version is evaluated (or when there is no
 * validation set).
 *
 * @param projectId      the project
 * @param round          the round that produced the version (version − 1)
 * @param version        the new model version
 * @param totalRounds    rounds in all passes
 * @param loss           validation loss
 * @param accuracy       validation accuracy (classification), NaN otherwise
 * @param trainLoss      mean of the round's tasks' own loss, weighted by samples
 * @param contributors   distinct providers whose results made the round
 * @param samplesPerSecond training samples per second over the round, wall clock
 * @param etaSeconds     estimated seconds to completion
 * @param at             epoch milliseconds when the version was made
 */
public record Progress(String projectId, int round, int version, int totalRounds, double loss, double accuracy,
        double trainLoss, int contributors, double samplesPerSecond, double etaSeconds, long at) {
}
