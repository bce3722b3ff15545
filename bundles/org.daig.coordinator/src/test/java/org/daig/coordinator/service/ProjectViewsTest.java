package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply.Kind;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.store.Records.CreditRow;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What requestors and operators read follows what the scheduler did; pause, resume and cancel, and their refusals. */
class ProjectViewsTest {

    /** Credit of one 10-row task of a 3-parameter model trained 1 epoch, in TFLOP. */
    private static final double TASK_CREDIT = 6.0 * 3 * 10 * 1 / 1e12;

    @TempDir
    Path tmp;

    private Fixture fx;
    private ProjectViews views;
    private String project;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        views = new ProjectViews(fx);
        // 4 tasks, 2 per round: 2 rounds
        ProjectRow row = fx.scheduler.create(new ProjectSpec("digits", "a".repeat(64), "b".repeat(64), "c".repeat(64), 1, 8, 4, 2, 2, 0.1,
                1, ProjectSpec.KBATCH_SYNC, 7));
        List<ShardRow> shards = List.of(new ShardRow(0, "d".repeat(64), "e".repeat(64), 10), new ShardRow(1, "d".repeat(64), "e".repeat(64), 10),
                new ShardRow(2, "d".repeat(64), "e".repeat(64), 10), new ShardRow(3, "d".repeat(64), "e".repeat(64), 10));
        fx.scheduler.prepared(row.id(), 3, 40, 0, null, null, shards, fx.vector(0, 0, 0), null);
        project = row.id();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Kind hand(String provider, Task task) throws Exception {
        return fx.scheduler.submit(provider, new TaskResult("r", task.leaseId(), task.projectId(), task.round(), task.shard(), task.version(),
                fx.vector(1, 1, 1 + task.round() * 10 + task.shard()), task.rows(), 0.5, 0.9, 1.0), 1.0).kind(); // each task its own update
    }

    private Map<String, CreditRow> credits() throws Exception {
        return views.credits().stream().collect(Collectors.toMap(CreditRow::providerId, Function.identity()));
    }

    private ProjectView view() throws Exception {
        return views.project(project).orElseThrow();
    }

    @Test
    void theViewsFollowLeasesResultsCreditsAndRounds() throws Exception {
        ProjectView fresh = view();
        assertEquals(List.of(project), views.projects().stream().map(ProjectView::id).toList());
        assertEquals(ProjectState.RUNNING, fresh.state());
        assertEquals("digits", fresh.spec().name());
        assertEquals(3, fresh.params());
        assertEquals(40, fresh.trainRows());
        assertEquals(0, fresh.round());
        assertEquals(2, fresh.totalRounds());
        assertEquals(0, fresh.version());
        assertEquals(0, fresh.contributors());
        assertNull(fresh.latest(), "the initial weights are no progress");
        assertTrue(views.leases().isEmpty());
        assertTrue(views.credits().isEmpty());

        Task a = fx.scheduler.lease("alice", 0).orElseThrow();
        Task b = fx.scheduler.lease("bob", 0).orElseThrow();
        assertEquals(Map.of("alice", a.shard(), "bob", b.shard()),
                views.leases().stream().collect(Collectors.toMap(LeaseRow::providerId, LeaseRow::shard)));
        assertEquals(2, view().contributors());

        assertEquals(Kind.ACCEPTED, hand("alice", a));
        List<ResultRow> results = views.results(project);
        assertEquals(1, results.size());
        assertEquals("alice", results.get(0).providerId());
        assertEquals(a.shard(), results.get(0).shard());
        assertEquals(0, results.get(0).round());
        assertEquals(1, views.acceptedResults());
        assertEquals(1, credits().get("alice").tasks());
        assertEquals(TASK_CREDIT, credits().get("alice").amount(), 1e-20);
        assertEquals(List.of("bob"), views.leases().stream().map(LeaseRow::providerId).toList(), "alice's lease ended with her result");
        assertEquals(0, view().round(), "the round waits for bob");

        assertEquals(Kind.ACCEPTED, hand("bob", b));
        ProjectView next = view();
        assertEquals(1, next.round());
        assertEquals(1, next.version());
        assertEquals(1, next.latest().version(), "version 1 is the latest progress");
        assertEquals(2, views.versions(project).size());
        assertTrue(views.leases().isEmpty());
        assertEquals(2, views.acceptedResults());
        assertEquals(Map.of("alice", 1L, "bob", 1L),
                credits().values().stream().collect(Collectors.toMap(CreditRow::providerId, CreditRow::tasks)));
        assertTrue(views.databaseHealthy());
        assertTrue(views.project("nope").isEmpty());
    }

    @Test
    void aCompletedProjectShowsCompletedWithNoTimeLeftAndRefusesControl() throws Exception {
        for (int round = 0; round < 2; round++) {
            Task a = fx.scheduler.lease("alice", 0).orElseThrow();
            Task b = fx.scheduler.lease("bob", 0).orElseThrow();
            assertEquals(Kind.ACCEPTED, hand("alice", a));
            assertEquals(Kind.ACCEPTED, hand("bob", b));
        }
        ProjectView done = view();
        assertEquals(ProjectState.COMPLETED, done.state());
        assertEquals(2, done.version());
        assertEquals(0.0, done.etaSeconds());
        assertEquals(4, views.results(project).size());
        assertEquals(2, credits().get("alice").tasks());
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> views.pause(project));
        assertEquals("project " + project + " is already finished", refused.getMessage());
        assertEquals(ProjectState.COMPLETED, view().state(), "the refusal changed nothing");
    }

    @Test
    void pauseStopsOfferingTasksResumeOffersThemAgainAndCancelEndsTheProjectForGood() throws Exception {
        Task held = fx.scheduler.lease("alice", 0).orElseThrow();

        assertEquals(ProjectState.PAUSED, views.pause(project).state());
        assertEquals(ProjectState.PAUSED, view().state());
        assertTrue(fx.scheduler.lease("bob", 0).isEmpty(), "a paused project offers no task");

        assertEquals(ProjectState.RUNNING, views.resume(project).state());
        assertEquals(ProjectState.RUNNING, view().state());
        assertTrue(fx.scheduler.lease("bob", 0).isPresent(), "a resumed project offers tasks again");

        assertEquals(ProjectState.CANCELLED, views.cancel(project).state());
        ProjectView cancelled = view();
        assertEquals(ProjectState.CANCELLED, cancelled.state());
        assertEquals(0, cancelled.contributors());
        assertTrue(views.leases().isEmpty(), "the running tasks' leases ended");
        assertTrue(fx.scheduler.lease("carol", 0).isEmpty());
        assertEquals(Kind.STALE, hand("alice", held), "a cancelled project's results are refused as stale");
        assertEquals(0, views.acceptedResults());

        String finished = "project " + project + " is already finished";
        assertEquals(finished, assertThrows(IllegalStateException.class, () -> views.pause(project)).getMessage());
        assertEquals(finished, assertThrows(IllegalStateException.class, () -> views.resume(project)).getMessage());
        assertEquals(finished, assertThrows(IllegalStateException.class, () -> views.cancel(project)).getMessage());
        assertEquals(ProjectState.CANCELLED, view().state());
    }

    @Test
    void anUnknownProjectIsRefusedByName() {
        assertEquals("no project nope", assertThrows(IllegalStateException.class, () -> views.pause("nope")).getMessage());
        assertEquals("no project nope", assertThrows(IllegalStateException.class, () -> views.resume("nope")).getMessage());
        assertEquals("no project nope", assertThrows(IllegalStateException.class, () -> views.cancel("nope")).getMessage());
        assertEquals("no project nope", assertThrows(IllegalStateException.class, () -> views.versions("nope")).getMessage());
    }
}
