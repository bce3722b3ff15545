package org.daig.provider.work;

import static org.daig.provider.work.Fakes.NOON;
import static org.daig.provider.work.Fakes.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.daig.api.volunteer.VolunteerStatus.FinishedTask;
import org.daig.provider.work.Fakes.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskHistoryTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(NOON);

    @Test
    void acceptedCreditsAndTaskCountSurviveARestart() {
        Path file = dir.resolve("provider/credits");
        TaskHistory history = new TaskHistory(file, clock);
        history.accepted(task("p", 0, 0), NOON, 0.25);
        history.accepted(task("p", 1, 0), NOON, 0.5);
        history.finished(task("p", 2, 0), NOON, "given back: the volunteer quit", 0);

        TaskHistory reloaded = new TaskHistory(file, clock);
        assertEquals(2, reloaded.tasksDone(), "a task given back does not count");
        assertEquals(0.75, reloaded.credit(), 1e-12);
        reloaded.accepted(task("q", 0, 0), NOON, 1.0);
        assertEquals(1.75, new TaskHistory(file, clock).credit(), 1e-12, "the total keeps growing across restarts");
        assertEquals(3, new TaskHistory(file, clock).tasksDone());
    }

    @Test
    void anUnreadableTotalCountsFromZeroInsteadOfStoppingTheProvider() throws Exception {
        Path file = dir.resolve("credits");
        Files.writeString(file, "not a number\n");
        TaskHistory history = new TaskHistory(file, clock);
        assertEquals(0, history.tasksDone());
        assertEquals(0.0, history.credit());
        history.accepted(task("p", 0, 0), NOON, 0.5);
        assertEquals(0.5, new TaskHistory(file, clock).credit(), 1e-12, "and the next accepted task repairs the file");
    }

    @Test
    void theTrayShowsTheLastTwentyOutcomesNewestFirstWithTheirDuration() {
        TaskHistory history = new TaskHistory(dir.resolve("credits"), clock);
        for (int shard = 0; shard < 25; shard++) {
            clock.now = NOON.plusSeconds(60L * shard + 30);
            history.finished(task("p", shard, 0), NOON.plusSeconds(60L * shard), "stale: round closed", 0);
        }
        List<FinishedTask> recent = history.recent();
        assertEquals(TaskHistory.RECENT_TASKS, recent.size());
        assertEquals(24, recent.get(0).shard(), "newest first");
        assertEquals(5, recent.get(recent.size() - 1).shard(), "the oldest beyond twenty are dropped");
        assertEquals(30.0, recent.get(0).seconds(), 1e-9);
        assertEquals("stale: round closed", recent.get(0).outcome());
        assertTrue(history.tasksDone() == 0 && history.credit() == 0, "stale results earn nothing");
    }
}
