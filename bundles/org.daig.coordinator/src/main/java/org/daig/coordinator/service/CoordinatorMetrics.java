package org.daig.coordinator.service;

import java.util.Map;

import org.daig.api.task.TaskReply;

/** The coordinator's counters since start, for /metrics; the components that do the work count. */
public interface CoordinatorMetrics {

    long leases();

    long leasesExpired();

    long rounds();

    long aggregationNanos();

    long submissionsRefused();

    /** Results by the reply they got. */
    Map<TaskReply.Kind, Long> results();

    /** Checks by outcome: replays passed, failed, unchecked (the coordinator could not replay); replicas agreed, disagreed. */
    Map<String, Long> spotChecks();

    void leased();

    /** How long deciding a task request took (the scheduler's lease, with its database writes). */
    void leaseTook(long nanos);

    /** The median and 99th percentile of the last {@link #LATENCY_WINDOW} lease decisions, in seconds; NaN before the first. */
    double[] leaseSeconds();

    /** How many lease decisions the percentiles are taken over, at most. */
    int LATENCY_WINDOW = 1024;

    void leasesExpired(int count);

    void roundAggregated(long nanos);

    void submissionRefused();

    void resultAnswered(TaskReply.Kind kind);

    void spotChecked(String outcome);

    /** The task exchange holds this many requests now: idle providers waiting for a task (a long poll). */
    void requestsHeld(int count);

    int requestsHeld();
}
