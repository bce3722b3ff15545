package org.daig.coordinator.service;

import org.daig.coordinator.store.Records.ProjectRow;

/** Turns an accepted project into a running one: shards, validation set, initial weights. */
public interface Preparation {

    /** Prepares the project in the background; it is RUNNING when done, FAILED with the reason if not. */
    void prepare(ProjectRow project);
}
