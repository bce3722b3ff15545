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

    /** Spot checks by outcome: passed, failed, unchecked (the coordinator could not replay). */
    Map<String, Long> spotChecks();

    void leased();

    void leasesExpired(int count);

    void roundAggregated(long nanos);

    void submissionRefused();

    void resultAnswered(TaskReply.Kind kind);

    void spotChecked(String outcome);
}
