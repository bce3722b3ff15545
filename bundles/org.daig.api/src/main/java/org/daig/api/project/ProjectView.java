package org.daig.api.project;

/**
 * A project as the coordinator reports it.
 *
 * @param id             the project id
 * @param spec           what was submitted
 * @param state          its state
 * @param message        why it failed, or null
 * @param params         parameter count of the model
 * @param trainRows      rows used for training
 * @param validationRows rows held out for validation
 * @param round          the round being run (0-based); equals {@code totalRounds} when done
 * @param totalRounds    rounds in all passes
 * @param version        the newest model version (0 = the initial weights)
 * @param contributors   providers holding a task of the project right now
 * @param latest         the newest evaluated version's figures, or null
 * @param etaSeconds     estimated seconds to completion, or -1 when unknown
 * @param createdAt      epoch milliseconds
 */
public record ProjectView(String id, ProjectSpec spec, ProjectState state, String message, long params, long trainRows,
        long validationRows, int round, int totalRounds, int version, int contributors, Progress latest, double etaSeconds,
        long createdAt) {
}
