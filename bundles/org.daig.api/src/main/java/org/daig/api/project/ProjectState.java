package org.daig.api.project;

/** Where a project is in its life. */
public enum ProjectState {
    /** Accepted; the coordinator is cutting shards and computing the initial model. */
    PREPARING,
    /** Handing out tasks. */
    RUNNING,
    /** Paused by its requestor or an operator: no new tasks; results of running ones still count. */
    PAUSED,
    /** Every round is done; the final model is kept. */
    COMPLETED,
    /** Stopped for good by its requestor or an operator; its versions stay downloadable. */
    CANCELLED,
    /** Could not go on; {@link ProjectView#message()} says why. */
    FAILED;

    public boolean isFinal() {
        return this == COMPLETED || this == CANCELLED || this == FAILED;
    }
}
