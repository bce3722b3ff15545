package org.daig.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.task.Task;
import org.daig.api.task.TaskReply.Kind;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.daig.coordinator.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous strategies' bookkeeping on a real H2 database, with a hand-driven clock and a
 * recording stand-in for the arithmetic: every accepted update makes one version, a fast provider
 * never waits for a slow one, staleness is measured and bounded, and a restart neither loses an
 * acknowledged update nor applies one twice.
 */
class AsyncSchedulerTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    /** The staleness of each update the aggregation was given, in the order given. */
    private final List<Integer> applied = new ArrayList<>();
    /** When set, the aggregation says it started and waits for the gate (to see what goes on meanwhile). */
    private volatile CountDownLatch started;
    private volatile CountDownLatch gate;
    /** async-queue's applier, run by hand. */
    private final List<Runnable> pending = new ArrayList<>();
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
        return TestDatabases.h2("async");
    }

    /** A connection to the test's database, as a (re)started coordinator opens it. */
    private Database database() throws Exception {
        return place.open();
    }

    private Scheduler scheduler(Database database) {
        Scheduler s = new Scheduler(database, new Scheduler.Settings(new LeaseTimeouts(60_000, 5_000, 3_600_000, 3.0), 10.0, 2000),
                now::get, (project, current, results) -> {
                    CountDownLatch waitFor = gate;
                    if (waitFor != null) {
                        started.countDown();
                        assertTrue(waitFor.await(30, TimeUnit.SECONDS), "the test opens the gate");
                    }
                    synchronized (applied) {
                        results.forEach(r -> applied.add(project.round() - r.baseVersion()));
                    }
                    return current.substring(0, 60) + String.format("%04d", project.round() + 1);
                }, (project, version) -> { }, () -> "http://coordinator/api/v1/blobs/");
        s.applyWith(pending::add);
        return s;
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static String blob(int n) {
        return String.format("%064x", n);
    }

    /** A running project of 4 shards of 10 rows, two passes, up to 3 providers at once. */
    private String project(String strategy, Integer maxStaleness) throws Exception {
        ProjectSpec spec = new ProjectSpec("async", blob(1), blob(2), blob(3), 1, 8, 4, 2, 3, 0.1, 2, strategy, 42, null, null, null,
                null, maxStaleness);
        ProjectRow row = scheduler.create(spec);
        assertEquals(8, row.totalRounds(), "one version per task: 4 shards x 2 passes");
        List<ShardRow> shards = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            shards.add(new ShardRow(i, blob(100 + i), blob(200 + i), 10));
        }
        scheduler.prepared(row.id(), 100, 40, 4, blob(4), blob(5), shards, blob(1000).substring(0, 60) + "0000", null);
        return row.id();
    }

    private Scheduler.Outcome submit(String provider, Task task) throws Exception {
        return scheduler.submit(provider, result(task, task.version()), 1.0);
    }

    private static TaskResult result(Task task, int version) {
        return new TaskResult("r", task.leaseId(), task.projectId(), task.round(), task.shard(), version,
                blob(5000 + task.round() * 10 + task.shard()), task.rows(), 0.5, 0.9, 1.0);
    }

    private int version(String project) throws Exception {
        return db.transaction(c -> ProjectStore.versions(c, project)).size() - 1;
    }

    @Test
    void aFastProviderKeepsWorkingOnNewVersionsWhileASlowOneTrainsAnOldOne() throws Exception {
        String id = project(AsyncUpdates.APPLY, null);
        Task slow = scheduler.lease("slow", 0).orElseThrow();
        Task fast = scheduler.lease("fast", 0).orElseThrow();
        assertEquals(0, slow.version());
        assertEquals(0, fast.version());
        assertTrue(slow.round() != fast.round(), "two different tasks of the plan");
        for (int v = 1; v <= 3; v++) {
            assertEquals(Kind.ACCEPTED, submit("fast", fast).kind());
            assertEquals(v, version(id), "each update is a version at once, before the answer");
            fast = scheduler.lease("fast", 0).orElseThrow();
            assertEquals(v, fast.version(), "the next task starts from the newest version");
            assertTrue(fast.params().endsWith(String.format("%04d", v)), fast.params());
        }
        assertEquals(0, slow.version());
        assertEquals(Kind.ACCEPTED, submit("slow", slow).kind(), "three versions behind is within the default bound of 16");
        assertEquals(List.of(0, 0, 0, 3), applied, "the slow update was weighed as 3 versions stale");
        assertEquals(4, version(id));
    }

    /** A replay must start where the volunteer started: from its base version's parameters, not the newest. */
    @Test
    void aSpotCheckReplaysTheTaskFromTheVersionItWasTrainedOn() throws Exception {
        project(AsyncUpdates.APPLY, null);
        scheduler.checkWith(provider -> Scheduler.Verification.REPLAY);
        Task slow = scheduler.lease("slow", 0).orElseThrow();
        for (int v = 0; v < 2; v++) {
            assertEquals(Kind.ACCEPTED, submit("fast", scheduler.lease("fast", 0).orElseThrow()).kind());
        }
        Scheduler.Outcome outcome = submit("slow", slow);
        assertEquals(Kind.ACCEPTED, outcome.kind());
        Task replayed = outcome.check().task();
        assertEquals(0, replayed.version());
        assertEquals(slow.params(), replayed.params(), "version 0's parameters, as the volunteer got them");
        assertTrue(replayed.params().endsWith("0000"), replayed.params());
    }

    @Test
    void anUpdateTooStaleIsRefusedAndItsTaskOfferedAgainFromTheNewestVersion() throws Exception {
        String id = project(AsyncUpdates.APPLY, 1);
        Task slow = scheduler.lease("slow", 0).orElseThrow();
        for (int v = 0; v < 2; v++) {
            assertEquals(Kind.ACCEPTED, submit("fast", scheduler.lease("fast", 0).orElseThrow()).kind());
        }
        Scheduler.Outcome late = submit("slow", slow);
        assertEquals(Kind.STALE, late.kind());
        assertTrue(late.message().contains("2 versions behind") && late.message().contains("max staleness 1"), late.message());
        Task again = scheduler.lease("other", 0).orElseThrow();
        assertEquals(slow.round(), again.round(), "the refused task is the first one open again");
        assertEquals(2, again.version());
        assertEquals(2, version(id), "nothing was applied for it");
        assertEquals(Kind.ACCEPTED, submit("other", again).kind());
    }

    @Test
    void aResultClaimingANewerVersionThanItsLeaseOrSentTwiceIsNotAppliedAgain() throws Exception {
        String id = project(AsyncUpdates.APPLY, 1);
        Task slow = scheduler.lease("slow", 0).orElseThrow();
        Task fast = scheduler.lease("fast", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, submit("fast", fast).kind());
        assertEquals(Kind.ACCEPTED, submit("fast", scheduler.lease("fast", 0).orElseThrow()).kind());
        Scheduler.Outcome dodging = scheduler.submit("slow", result(slow, 2), 1.0);
        assertEquals(Kind.REFUSED, dodging.kind(), "claiming version 2 to escape the staleness bound");
        assertTrue(dodging.message().contains("trains from version 0"), dodging.message());
        assertEquals(Kind.DUPLICATE, submit("fast", fast).kind(), "a resend");
        assertEquals(2, version(id));
        assertEquals(2, applied.size());
    }

    @Test
    void aQueuedProjectAnswersFirstAndAppliesAfterInAcceptanceOrder() throws Exception {
        String id = project(AsyncUpdates.QUEUE, null);
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, submit("b", b).kind());
        assertEquals(Kind.ACCEPTED, submit("a", a).kind());
        assertEquals(0, version(id), "answered before any update was applied");
        assertEquals(0, scheduler.lease("c", 0).orElseThrow().version());
        pending.remove(0).run();
        assertEquals(2, version(id), "the applier drains the queue, one version per update");
        assertEquals(List.of(0, 1), applied, "b's update made version 1, a's (also from version 0) came 1 version late");
    }

    @Test
    void acceptedButUnappliedUpdatesAreAppliedOnceAfterARestart() throws Exception {
        String id = project(AsyncUpdates.QUEUE, null);
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        Task c = scheduler.lease("c", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, submit("a", a).kind());
        pending.remove(0).run();
        assertEquals(Kind.ACCEPTED, submit("b", b).kind());
        assertEquals(Kind.ACCEPTED, submit("c", c).kind());
        pending.clear(); // the coordinator dies before its applier ran: two updates acknowledged, not applied
        assertEquals(1, version(id));

        Scheduler restarted = scheduler(db);
        restarted.load();
        assertEquals(1, pending.size(), "the restart queues what was waiting");
        pending.remove(0).run();
        assertEquals(3, version(id), "both acknowledged updates are in, each once");
        assertEquals(3, applied.size());
        assertEquals(Kind.DUPLICATE, restarted.submit("b", result(b, 0), 1.0).kind(), "a resend after the restart changes nothing");
        assertEquals(3, version(id));
        Task next = restarted.lease("a", 0).orElseThrow();
        assertEquals(3, next.version());
        assertTrue(next.round() != a.round() && next.round() != b.round() && next.round() != c.round(), "done tasks are not offered");
    }

    @Test
    void theProjectCompletesWhenEveryTaskOfEveryPassIsApplied() throws Exception {
        String id = project(AsyncUpdates.APPLY, null);
        List<Integer> tasks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Task t = scheduler.lease("p" + (i % 3), 0).orElseThrow();
            tasks.add(t.round());
            assertEquals(Kind.ACCEPTED, submit("p" + (i % 3), t).kind());
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), tasks, "the plan's tasks, each once");
        assertEquals(8, version(id));
        assertTrue(scheduler.lease("p0", 0).isEmpty());
        assertEquals(ProjectState.COMPLETED, db.transaction(c -> ProjectStore.projects(c)).get(0).state());
    }

    @Test
    void aLockFreeProjectAppliesEveryWaitingUpdateTogetherInOneVersion() throws Exception {
        String id = project(AsyncUpdates.LOCKFREE, null);
        for (String provider : List.of("a", "b", "c")) {
            assertEquals(Kind.ACCEPTED, submit(provider, scheduler.lease(provider, 0).orElseThrow()).kind());
        }
        assertEquals(0, version(id), "answered before any update was applied");
        pending.remove(0).run();
        assertEquals(1, version(id), "the three waiting updates made one version");
        assertEquals(List.of(0, 0, 0), applied, "added together, none saw another: each as stale as its base");
        pending.forEach(Runnable::run);
        assertEquals(1, version(id), "the other wake-ups found nothing left");

        pending.clear();
        scheduler(db).load();
        assertTrue(pending.isEmpty(), "all three are marked applied: a restart has nothing to apply again");
    }

    @Test
    void leasesAndResultsGoOnWhileALockFreeBatchIsBeingAdded() throws Exception {
        String id = project(AsyncUpdates.LOCKFREE, null);
        Task a = scheduler.lease("a", 0).orElseThrow();
        Task b = scheduler.lease("b", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, submit("a", a).kind());
        CountDownLatch opened = new CountDownLatch(1);
        started = new CountDownLatch(1);
        gate = opened;
        Thread applier = new Thread(pending.remove(0), "test-applier");
        applier.start();
        assertTrue(started.await(30, TimeUnit.SECONDS), "the applier began adding a's update");
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> {
            assertEquals(Kind.ACCEPTED, submit("b", b).kind(), "a result is taken while the batch is being added");
            assertEquals(0, scheduler.lease("c", 0).orElseThrow().version(), "and a lease handed out, on the version it started from");
        }, "the scheduler's lock is held while updates are added");
        gate = null; // the next batch goes through
        opened.countDown();
        applier.join(30_000);
        assertEquals(2, version(id), "b's update, which came meanwhile, made the next version");
        assertEquals(List.of(0, 1), applied);
    }

    /** A replay still pending at a crash is replayed after the restart, from the version its volunteer trained on. */
    @Test
    void aSpotCheckPendingAtACrashIsReplayedAfterTheRestart() throws Exception {
        project(AsyncUpdates.APPLY, null);
        scheduler.checkWith(provider -> provider.equals("slow") ? Scheduler.Verification.REPLAY : Scheduler.Verification.NONE);
        Task slow = scheduler.lease("slow", 0).orElseThrow();
        assertEquals(Kind.ACCEPTED, submit("fast", scheduler.lease("fast", 0).orElseThrow()).kind());
        assertEquals(Kind.ACCEPTED, submit("slow", slow).kind());

        Scheduler restarted = scheduler(db);
        restarted.load();
        List<Scheduler.PendingCheck> pending = restarted.pendingChecks();
        assertEquals(1, pending.size(), "the replay the crash interrupted");
        assertEquals(slow.params(), pending.get(0).task().params(), "from version 0, as the volunteer trained");
        assertEquals(slow.round(), pending.get(0).task().round());
        restarted.checked(pending.get(0), true, "PASSED");
        assertTrue(restarted.pendingChecks().isEmpty());
        Scheduler again = scheduler(db);
        again.load();
        assertTrue(again.pendingChecks().isEmpty(), "passed: not replayed again");
    }
}
