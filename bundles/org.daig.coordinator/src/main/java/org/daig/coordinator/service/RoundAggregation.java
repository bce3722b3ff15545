package org.daig.coordinator.service;

import java.util.Set;

import org.daig.coordinator.schedule.Scheduler;

/** Closes rounds with the project's aggregation strategy; knows which strategies there are. */
public interface RoundAggregation extends Scheduler.RoundCloser {

    /** The names a project may choose as its strategy. */
    Set<String> strategies();
}
