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

    void leasesExpired(int count);

    void roundAggregated(long nanos);

    void submissionRefused();

    void resultAnswered(TaskReply.Kind kind);

    void spotChecked(String outcome);
}
