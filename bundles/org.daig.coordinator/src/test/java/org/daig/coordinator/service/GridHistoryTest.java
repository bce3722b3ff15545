package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.daig.api.task.TaskReply;
import org.junit.jupiter.api.Test;

/** The grid's last hour for the console: samples in order, results counted as /metrics counts them, an hour kept. */
class GridHistoryTest {

    @Test
    void samplesCountLeasesAndResultsButNotNoTaskAnswersAndKeepTheLastHour() {
        MetricsCounters metrics = new MetricsCounters();
        GridHistory history = new GridHistory();
        history.add(1_000, 0, metrics);
        metrics.leased();
        metrics.leased();
        metrics.resultAnswered(TaskReply.Kind.ACCEPTED);
        metrics.resultAnswered(TaskReply.Kind.REFUSED);
        metrics.resultAnswered(TaskReply.Kind.NO_TASK);
        metrics.resultAnswered(TaskReply.Kind.TASK);
        history.add(11_000, 2, metrics);
        assertEquals(List.of(new GridHistory.Sample(1_000, 0, 0, 0), new GridHistory.Sample(11_000, 2, 2, 2)), history.samples());

        for (int i = 0; i < GridHistory.KEPT + 5; i++) {
            history.add(20_000 + i * 10_000L, 1, metrics);
        }
        List<GridHistory.Sample> kept = history.samples();
        assertEquals(GridHistory.KEPT, kept.size(), "an hour of ten-second samples");
        assertEquals(20_000 + 5 * 10_000L, kept.get(0).at(), "the oldest went first");
    }
}
