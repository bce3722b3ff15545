package org.daig.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply.Kind;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.LeaseState;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.daig.coordinator.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The round bookkeeping of K-batch synchronous SGD on a real database (H2 here, PostgreSQL in the OnPostgreSQL subclass), with a hand-driven
 * clock and a recording stand-in for aggregation (the unit under test is the scheduling).
 */
class SchedulerTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<List<ResultRow>> aggregated = new ArrayList<>();
    private final List<VersionRow> versions = new ArrayList<>();
    /** The aggregation waits for this (open unless a test closes it) and counts {@link #aggregating} down first. */
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final CountDownLatch aggregating = new CountDownLatch(1);
    private TestDatabases.Place place;
    private Database db;
    private Scheduler scheduler;

    @BeforeEach
    void open() throws Exception {
        place = place();
        db = database();
        scheduler = scheduler(db);
    }

    /** Where the test's database lives (H2 here; PostgreSQL in the subclass). */
    TestDatabases.Place place() throws Exception {
        return TestDatabases.h2("scheduler");
    }

    /** A connection to the test's database, as a (re)started coordinator opens it. */
    private Database database() throws Exception {
        return place.open();
    }

    private Scheduler scheduler(Database database) {
        return new Scheduler(database, new Scheduler.Settings(new LeaseTimeouts(60_000, 5_000, 3_600_000, 3.0), 10.0, 2000), now::get,
                (project, current, results) -> {
                    aggregating.countDown();
                    if (!gate.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never let the aggregation go on");
                    }
                    aggregated.add(results);
                    return current.substring(0, 60) + String.format("%04d", project.round() + 1);
                }, (project, version) -> versions.add(version), () -> "http://coordinator/api/v1/blobs/");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static String blob(int n) {
        return String.format("%064x", n);
    }

    /** A running project: 6 shards of 10 rows, K tasks per round, 100 parameters. */
    private String project(int taskSize, int maxContributors, int passes) throws Exception {
        ProjectSpec spec = new ProjectSpec("test", blob(1), blob(2), blob(3), 2, 8, 6, taskSize, maxContributors, 0.1, passes,
                ProjectSpec.KBATCH_SYNC, 42);
        ProjectRow row = scheduler.create(spec);
        assertEquals(ProjectState.PREPARING, row.state());
        assertTrue(scheduler.lease("p1", 0).isEmpty(), "no tasks while preparing");
        List<ShardRow> shards = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            shards.add(new ShardRow(i, blob(100 + i), blob(200 + i), 10));
        }
        scheduler.prepared(row.id(), 100, 60, 6, blob(4), blob(5), shards, blob(1000).substring(0, 60) + "0000", null);
        return row.id();
    }

    private Scheduler.Outcome submit(String provider, Task task) throws Exception {
        return submit(provider, task, 1.0);
    }

    private Scheduler.Outcome submit(String provider, Task task, double norm) throws Exception {
        return scheduler.submit(provider, new TaskResult("r", task.leaseId(), task.projectId(), task.round(), task.shard(), task.version(),
                blob(5000 + task.round() * 10 + task.shard()), task.rows(), 0.5, 0.9, 1.0), norm);
    }

    @Test
    void aRoundHandsOutKDistinctShardsOnOneVersionAndClosesWhenAllKAreAccepted() throws Exception {
        String id = project(3, 3, 1);
        Set<Integer> shards = new HashSet<>();
        List<Task> tasks = new ArrayList<>();
        for (String provider : List.of("a", "b", "c")) {
            Task t = scheduler.lease(provider, 0).orElseThrow();
            assertEquals(0, t.version());
            assertEquals(id, t.projectId());
            assertEquals(10, t.rows());
            assertTrue(t.params().endsWith("0000"), "version 0's parameters");
            shards.add(t.shard());
            tasks.add(t);
        }
        assertEquals(3, shards.size(), "K distinct shards");
        assertTrue(scheduler.lease("d", 0).isEmpty(), "the round has no more tasks");
        assertEquals(Kind.ACCEPTED, submit("a", tasks.get(0)).kind());
        assertEquals(Kind.ACCEPTED, submit("b", tasks.get(1)).kind());
        assertTrue(aggregated.isEmpty(), "the round waits for its K-th result");
        assertEquals(Kind.ACCEPTED, submit("c", tasks.get(2)).kind());
        assertEquals(1, aggregated.size());
        List<Integer> order = aggregated.get(0).stream().map(ResultRow::shard).toList();
        assertEquals(order.stream().sorted().toList(), order, "aggregated in shard order");
        Task next = scheduler.lease("d", 0).orElseThrow();
        assertEquals(1, next.round());
        assertEquals(1, next.version());
        assertTrue(next.params().endsWith("0001"), "round 1 starts from version 1");
        Set<Integer> secondRound = new HashSet<>(shards);
        secondRound.add(next.shard());
        assertEquals(4, secondRound.size(), "one pass visits each shard once");
    }

    @Test
    void aRoundsNextVersionIsMadeOffTheSchedulersLockWhileLeasesAndViewsGoOn() throws Exception {
        String id = project(2, 2, 1);
        List<Runnable> closes = new ArrayList<>();
        scheduler.closeRoundsWith(closes::add);
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, submit("a", a).kind());
        assertEquals(Kind.ACCEPTED, submit("b", b).kind(), "the last result is answered before the round's version is made");
        assertEquals(1, closes.size(), "the complete round waits for its close");
        int versionsBefore = versions.size();
        assertTrue(scheduler.lease("c", 0).isEmpty(), "no task while the round closes");
        assertEquals(Kind.DUPLICATE, submit("a", a).kind(), "a result sent again meanwhile is still known");

        gate = new CountDownLatch(1); // an aggregation (or a blob store) that takes its time
        Thread closing = new Thread(closes.get(0), "round-close");
        closing.start();
        assertTrue(aggregating.await(30, TimeUnit.SECONDS), "the close started aggregating");
        // were the version made under the scheduler's lock, these would wait for the stalled aggregation
        CompletableFuture<Boolean> leased = CompletableFuture.supplyAsync(() -> {
            try {
                return scheduler.lease("c", 0).isPresent();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(false, leased.get(30, TimeUnit.SECONDS), "a lease is answered (no task) while the version is being made");
        assertEquals(0, scheduler.live(id).orElseThrow().row().round(), "the round is not over before its version is committed");
        gate.countDown();
        closing.join(30_000);
        assertEquals(versionsBefore + 1, versions.size(), "the version was committed once made");
        assertEquals(1, versions.get(versions.size() - 1).version());
        Task next = scheduler.lease("c", 0).orElseThrow();
        assertEquals(1, next.round());
        assertTrue(next.params().endsWith("0001"), "round 1 starts from version 1");
    }

    @Test
    void aProjectCancelledWhileItsRoundClosesGetsNoNewVersion() throws Exception {
        String id = project(2, 2, 1);
        List<Runnable> closes = new ArrayList<>();
        scheduler.closeRoundsWith(closes::add);
        submit("a", scheduler.lease("a", 0).orElseThrow());
        submit("b", scheduler.lease("b", 0).orElseThrow());
        int versionsBefore = versions.size();
        assertEquals(ProjectState.CANCELLED, scheduler.cancel(id).state());
        closes.get(0).run();
        assertEquals(versionsBefore, versions.size(), "the cancelled project's version was dropped");
        scheduler.load();
        assertTrue(scheduler.live(id).isEmpty(), "still cancelled after a restart");
        assertTrue(scheduler.lease("c", 0).isEmpty());
    }

    @Test
    void maxContributorsLimitsDistinctProvidersButOneProviderMayDoSeveralTasksOfARound() throws Exception {
        project(3, 1, 1);
        Task first = scheduler.lease("a", 0).orElseThrow();
        assertTrue(scheduler.lease("b", 0).isEmpty(), "a second provider would exceed max contributors 1");
        assertEquals(first.leaseId(), scheduler.lease("a", 0).orElseThrow().leaseId(), "asking again returns the held lease");
        submit("a", first);
        Task second = scheduler.lease("a", 0).orElseThrow();
        assertNotEquals(first.shard(), second.shard());
        assertEquals(0, second.round());
    }

    @Test
    void anExpiredLeaseIsOfferedAgainAndALateResultCountsOnlyWhileNobodyElseHoldsTheShard() throws Exception {
        project(2, 2, 1);
        Task slow = scheduler.lease("slow", 0).orElseThrow();
        assertEquals(slow.deadline(), now.get() + 60_000, "the first lease gets the initial timeout");
        now.addAndGet(59_999);
        assertEquals(0, scheduler.expire());
        now.addAndGet(1);
        assertEquals(1, scheduler.expire());
        assertEquals(Kind.ACCEPTED, submit("slow", slow).kind(), "the shard was still free: the late result counts");

        Task slowAgain = scheduler.lease("slow", 0).orElseThrow();
        now.set(slowAgain.deadline());
        assertEquals(1, scheduler.expire());
        Task other = scheduler.lease("other", 0).orElseThrow();
        assertEquals(slowAgain.shard(), other.shard(), "the expired shard is offered first");
        Scheduler.Outcome late = submit("slow", slowAgain);
        assertEquals(Kind.STALE, late.kind(), "the shard is someone else's now: " + late.message());
        assertTrue(late.message().contains("went to another provider"), late.message());
        assertEquals(Kind.ACCEPTED, submit("other", other).kind());
    }

    @Test
    void aResultOnAnotherProvidersLeaseOrOnNoLeaseIsRefusedAndNotCredited() throws Exception {
        String id = project(2, 2, 1);
        Task a = scheduler.lease("a", 0).orElseThrow();
        TaskResult forged = new TaskResult("r", a.leaseId(), id, a.round(), a.shard(), a.version(), blob(666), a.rows(), 0.1, 1, 1);
        Scheduler.Outcome onTheirs = scheduler.submit("mallory", forged, 1);
        assertEquals(Kind.REFUSED, onTheirs.kind());
        assertTrue(onTheirs.message().contains("is not yours"), onTheirs.message());
        TaskResult noLease = new TaskResult("r", null, id, a.round(), a.shard(), a.version(), blob(667), a.rows(), 0.1, 1, 1);
        assertEquals(Kind.REFUSED, scheduler.submit("mallory", noLease, 1).kind());
        TaskResult madeUp = new TaskResult("r", "l-made-up", id, a.round(), a.shard(), a.version(), blob(668), a.rows(), 0.1, 1, 1);
        assertEquals(Kind.REFUSED, scheduler.submit("mallory", madeUp, 1).kind());

        assertTrue(db.transaction(ProjectStore::credits).isEmpty(), "nothing credited");
        assertEquals(0, db.transaction(c -> ProjectStore.results(c, id, 0)).size(), "nothing accepted");
        assertEquals(List.of(a.leaseId()), scheduler.activeLeases().stream().map(l -> l.id()).toList(), "the holder keeps its lease");
        assertEquals(Kind.ACCEPTED, submit("a", a).kind(), "and its own result still counts");
        assertEquals(List.of("a"), db.transaction(ProjectStore::credits).stream().map(c -> c.providerId()).toList());
    }

    @Test
    void aReleasedLeaseNoLongerTakesResults() throws Exception {
        project(2, 2, 1);
        Task a = scheduler.lease("a", 0).orElseThrow();
        assertTrue(scheduler.release("a", a.leaseId(), "user came back"));
        assertEquals(Kind.STALE, submit("a", a).kind());
    }

    @Test
    void deadlinesFollowObservedTaskTimes() throws Exception {
        project(6, 6, 1);
        for (int i = 0; i < 3; i++) {
            Task t = scheduler.lease("p" + i, 0).orElseThrow();
            now.addAndGet(4_000);
            submit("p" + i, t);
        }
        Task next = scheduler.lease("p9", 0).orElseThrow();
        assertEquals(now.get() + 12_000, next.deadline(), "3 x p90 of 4 s");
    }

    @Test
    void anOfflineProvidersTasksAndAReleasedTaskAreOfferedAgainAtOnce() throws Exception {
        project(2, 2, 1);
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        assertEquals(1, scheduler.providerGone("a"));
        assertEquals(a.shard(), scheduler.lease("c", 0).orElseThrow().shard());
        assertTrue(scheduler.release("b", b.leaseId(), "user came back"));
        assertEquals(b.shard(), scheduler.lease("d", 0).orElseThrow().shard());
    }

    @Test
    void theExchangeIsToldWhenTasksMayAppearAndNotWhenTasksAreTaken() throws Exception {
        AtomicInteger signals = new AtomicInteger();
        scheduler.whenTasksMayAppear(signals::incrementAndGet);
        project(2, 2, 2);
        assertEquals(1, signals.get(), "the prepared project's first round");
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, submit("a", a).kind());
        assertEquals(1, signals.get(), "leases and a result that leaves the round open change nothing a waiting provider could take");
        assertTrue(scheduler.release("b", b.leaseId(), "user came back"));
        assertEquals(2, signals.get(), "a released task");
        Task c = scheduler.lease("c", 0).orElseThrow();
        assertEquals(b.shard(), c.shard());
        assertEquals(Kind.ACCEPTED, submit("c", c).kind());
        assertEquals(3, signals.get(), "the next round");
        assertEquals(1, scheduler.lease("d", 0).orElseThrow().round());
        scheduler.pause(a.projectId());
        scheduler.resume(a.projectId());
        assertEquals(5, signals.get(), "pause and resume");
    }

    @Test
    void staleUnknownWrongAndOutlierResultsAreRefusedWithAReason() throws Exception {
        String id = project(2, 2, 1);
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        submit("a", a);
        submit("b", b);
        assertEquals(Kind.DUPLICATE, submit("a", a).kind(), "a repeated result of a closed round is a duplicate");
        TaskResult old = new TaskResult("r", "x", id, 0, a.shard(), 0, blob(9999), 10, 0.5, 0.9, 1);
        assertEquals(Kind.STALE, scheduler.submit("z", old, 1).kind(), "a new result for version 0 after the round closed is stale");
        assertEquals(Kind.UNKNOWN, scheduler.submit("z", new TaskResult("r", "x", "nope", 0, 0, 0, blob(1), 10, 0, 0, 1), 1).kind());
        assertEquals(Kind.UNKNOWN, scheduler.submit("z", new TaskResult("r", "x", id, 7, 0, 7, blob(1), 10, 0, 0, 1), 1).kind());
        Task c = scheduler.lease("c", 0).orElseThrow();
        TaskResult wrongRows = new TaskResult("r", c.leaseId(), id, 1, c.shard(), 1, blob(7), 11, 0.5, 0.9, 1);
        Scheduler.Outcome refused = scheduler.submit("c", wrongRows, 1);
        assertEquals(Kind.REFUSED, refused.kind());
        assertTrue(refused.message().contains("11 samples but shard"), refused.message());
        Task d = scheduler.lease("d", 0).orElseThrow();
        submit("d", d, 1.2);
        Scheduler.Outcome outlier = submit("c", c, 50);
        assertEquals(Kind.REFUSED, outlier.kind());
        assertTrue(outlier.message().contains("more than 10× the median"), outlier.message());
        assertEquals(Kind.ACCEPTED, submit("c", c, 2).kind());
    }

    @Test
    void pauseStopsNewTasksButKeepsRunningOnesAndCancelEndsEverything() throws Exception {
        String id = project(2, 2, 1);
        Task a = scheduler.lease("a", 0).orElseThrow();
        assertEquals(ProjectState.PAUSED, scheduler.pause(id).state());
        assertTrue(scheduler.lease("b", 0).isEmpty(), "paused: no new tasks");
        assertEquals(Kind.ACCEPTED, submit("a", a).kind(), "a task running when paused still counts");
        assertEquals(ProjectState.RUNNING, scheduler.resume(id).state());
        Task b = scheduler.lease("b", 0).orElseThrow();
        assertEquals(ProjectState.CANCELLED, scheduler.cancel(id).state());
        assertTrue(scheduler.lease("c", 0).isEmpty());
        assertEquals(Kind.STALE, submit("b", b).kind(), "results of a cancelled project are not taken");
        assertThrows(IllegalStateException.class, () -> scheduler.pause(id));
    }

    @Test
    void theLastRoundCompletesTheProjectAfterAllPasses() throws Exception {
        project(4, 4, 2); // 6 shards, K=4: rounds of 4 and 2 per pass, 2 passes
        int rounds = 0;
        Optional<Task> task;
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            List<Task> round = new ArrayList<>();
            while ((task = scheduler.lease("p" + round.size(), 0)).isPresent()) {
                round.add(task.get());
            }
            if (round.isEmpty()) {
                break;
            }
            sizes.add(round.size());
            for (Task t : round) {
                submit("p" + round.indexOf(t), t);
            }
            rounds++;
        }
        assertEquals(4, rounds);
        assertEquals(List.of(4, 2, 4, 2), sizes);
        assertEquals(4, versions.get(versions.size() - 1).version());
        assertTrue(scheduler.live(versions.get(0).projectId()).isEmpty(), "a completed project has no live state");
    }

    @Test
    void aRestartedSchedulerContinuesTheRoundWithItsResultsAndLeases() throws Exception {
        String id = project(3, 3, 1);
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        submit("a", a);
        Scheduler restarted = scheduler(database());
        restarted.load();
        Task c = restarted.lease("c", 0).orElseThrow();
        assertEquals(0, c.round());
        assertTrue(c.shard() != a.shard() && c.shard() != b.shard(), "the accepted shard and the leased one are not offered again");
        assertEquals(Kind.DUPLICATE, restarted.submit("a", new TaskResult("r", a.leaseId(), id, 0, a.shard(), 0,
                blob(5000 + a.shard()), 10, 0.5, 0.9, 1), 1).kind(), "the accepted result survived the restart");
        assertEquals(Kind.ACCEPTED, restarted.submit("b", new TaskResult("r", b.leaseId(), id, 0, b.shard(), 0, blob(1), 10, 0.5, 0.9, 1), 1).kind());
        assertEquals(Kind.ACCEPTED, restarted.submit("c", new TaskResult("r", c.leaseId(), id, 0, c.shard(), 0, blob(2), 10, 0.5, 0.9, 1), 1).kind());
        assertEquals(1, restarted.lease("d", 0).orElseThrow().version());
    }

    @Test
    void aLeaseEndedByItsResultHasItsRowWrittenLaterOrAtTheNextStart() throws Exception {
        project(3, 3, 2);
        Task a = scheduler.lease("a", 0).orElseThrow();
        now.incrementAndGet(); // lease ids follow their issue time to the millisecond, and then chance
        Task b = scheduler.lease("b", 0).orElseThrow();
        Task c = scheduler.lease("c", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, submit("a", a).kind());
        assertEquals(Kind.ACCEPTED, submit("b", b).kind());
        assertEquals(LeaseState.ACTIVE, stored(a), "accepting a result leaves its lease's row for later");
        assertEquals(Kind.DUPLICATE, submit("b", b).kind(), "the lease is over all the same");
        assertTrue(scheduler.writeLeaseEnds(1), "one row written, one waiting");
        assertEquals(LeaseState.COMPLETED, stored(a), "the oldest lease first");
        assertEquals(LeaseState.ACTIVE, stored(b));

        Scheduler restarted = scheduler(database()); // b's row was never written
        restarted.load();
        assertEquals(LeaseState.COMPLETED, stored(b), "ended at the start, from its result");
        assertEquals(Kind.DUPLICATE, restarted.submit("b", new TaskResult("r", b.leaseId(), b.projectId(), 0, b.shard(), 0,
                blob(5000 + b.shard()), 10, 0.5, 0.9, 1), 1).kind());
        assertEquals(Kind.ACCEPTED, restarted.submit("c", new TaskResult("r", c.leaseId(), c.projectId(), 0, c.shard(), 0,
                blob(5000 + c.shard()), 10, 0.5, 0.9, 1), 1).kind(), "c's lease is still live");
        assertEquals(1, restarted.lease("d", 0).orElseThrow().round(), "c's result closed the round");
        assertEquals(LeaseState.ACTIVE, stored(c));

        Scheduler again = scheduler(database()); // c's row was never written either, and its round is over
        again.load();
        assertEquals(LeaseState.COMPLETED, stored(c), "a lease of a closed round that its task's result came on");
        assertFalse(again.writeLeaseEnds(10), "nothing is left to write");
    }

    private LeaseState stored(Task task) throws Exception {
        return db.query(c -> ProjectStore.lease(c, task.leaseId())).orElseThrow().state();
    }

    @Test
    void anUpdateAlreadyAcceptedForAnotherTaskIsRefusedAsACopyInLaterRoundsAndAfterARestart() throws Exception {
        String id = project(2, 2, 2);
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        String honest = blob(4242);
        TaskResult first = new TaskResult("r", a.leaseId(), id, 0, a.shard(), 0, honest, 10, 0.5, 0.9, 1);
        assertEquals(Kind.ACCEPTED, scheduler.submit("a", first, 1).kind());
        TaskResult copy = new TaskResult("r", b.leaseId(), id, 0, b.shard(), 0, honest, 10, 0.5, 0.9, 1);
        Scheduler.Outcome refused = scheduler.submit("b", copy, 1);
        assertEquals(ResultAdmission.Verdict.COPIED_DELTA, refused.verdict(), "the same round: " + refused.message());
        assertEquals(Kind.ACCEPTED, submit("b", b).kind(), "its own update counts");

        Task c = scheduler.lease("c", 0).orElseThrow();
        assertEquals(1, c.round());
        assertEquals(ResultAdmission.Verdict.COPIED_DELTA, scheduler.submit("c", new TaskResult("r", c.leaseId(), id, 1, c.shard(), 1,
                honest, 10, 0.5, 0.9, 1), 1).verdict(), "an update of a closed round, sent for a task of the next one");

        Scheduler restarted = scheduler(database());
        restarted.load();
        assertEquals(ResultAdmission.Verdict.COPIED_DELTA, restarted.submit("c", new TaskResult("r", c.leaseId(), id, 1, c.shard(), 1,
                honest, 10, 0.5, 0.9, 1), 1).verdict(), "after a restart the accepted updates are known again");
        assertEquals(Kind.ACCEPTED, restarted.submit("c", new TaskResult("r", c.leaseId(), id, 1, c.shard(), 1, blob(4343), 10, 0.5,
                0.9, 1), 1).kind(), "a fresh update counts");
    }

    @Test
    void theRoundPlanIsAPureFunctionOfTheSettings() {
        RoundPlan plan = new RoundPlan(10, 4, 2, 7);
        assertEquals(6, plan.totalRounds());
        Set<Integer> firstPass = new HashSet<>();
        for (int r = 0; r < 3; r++) {
            for (int s : plan.shards(r)) {
                assertTrue(firstPass.add(s));
            }
        }
        assertEquals(10, firstPass.size());
        assertArrayEquals(plan.shards(4), new RoundPlan(10, 4, 2, 7).shards(4));
        assertEquals(plan.taskSeed(3, 2), new RoundPlan(10, 4, 2, 7).taskSeed(3, 2));
        assertNotEquals(plan.taskSeed(3, 2), plan.taskSeed(3, 1));
    }
}
