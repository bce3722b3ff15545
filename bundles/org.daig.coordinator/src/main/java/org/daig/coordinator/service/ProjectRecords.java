package org.daig.coordinator.service;

import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Database;

/**
 * The core the coordinator's project components share: the database (read and written through
 * {@link org.daig.coordinator.store.ProjectStore}) and the scheduler that runs the rounds.
 */
public interface ProjectRecords {

    Database database();

    Scheduler scheduler();
}
