package org.daig.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.daig.api.project.ProjectState;
import org.daig.api.task.TaskReply.Kind;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.ResultAdmission.Admission;
import org.daig.coordinator.schedule.ResultAdmission.Delta;
import org.daig.coordinator.schedule.ResultAdmission.Facts;
import org.daig.coordinator.schedule.ResultAdmission.Verdict;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.LeaseState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The result admission rule as a table. The project is at round 2 of 6 shards; round 2 trains
 * shards 1 and 4, shard 4 is already in (from provider b); recent norms are all 1, the limit is
 * 10× their median. Provider a holds lease l1 for shard 1 (live); nobody else holds a lease; at most
 * 2 contributors. Each row changes one thing from a result that is accepted.
 */
class ResultAdmissionTest {

    private static final LeaseRow L1 = new LeaseRow("l1", "p", 2, 1, "a", 0, 1000, LeaseState.ACTIVE);

    private static final Facts RUNNING = new Facts("p", ProjectState.RUNNING, 2, 6, new int[] { 1, 4 }, Map.of(4, "b"),
            new long[] { 10, 10, 10, 10, 10, 10 }, false, false, List.of(1.0, 1.0, 1.0), 10.0, L1, Map.of(1, "a"), 2);

    /** A result in the current round, for shard 1, of the right size, on lease l1. */
    private record Row(Facts facts, String provider, int round, int shard, int version, long samples, Delta delta, String leaseId) {

        static Row fine() {
            return new Row(RUNNING, "a", 2, 1, 2, 10, Delta.ok(1.0), "l1");
        }

        Row facts(UnaryOperator<Facts> change) {
            return new Row(change.apply(facts), provider, round, shard, version, samples, delta, leaseId);
        }

        Row from(String p) {
            return new Row(facts, p, round, shard, version, samples, delta, leaseId);
        }

        Row task(int r, int s, int v) {
            return new Row(facts, provider, r, s, v, samples, delta, leaseId);
        }

        Row samples(long n) {
            return new Row(facts, provider, round, shard, version, n, delta, leaseId);
        }

        Row delta(Delta d) {
            return new Row(facts, provider, round, shard, version, samples, d, leaseId);
        }

        Row naming(String lease) {
            return new Row(facts, provider, round, shard, version, samples, delta, lease);
        }

        TaskResult result() {
            return new TaskResult("r1", leaseId, facts.projectId(), round, shard, version, "d".repeat(64), samples, 0.5, 0.9, 1.0);
        }
    }

    private static Facts state(Facts f, ProjectState s) {
        return new Facts(f.projectId(), s, f.round(), f.totalTasks(), f.roundShards(), f.acceptedBy(), f.shardRows(), f.acceptedEarlier(),
                f.copiedDelta(), f.recentNorms(), f.normFactor(), f.lease(), f.leases(), f.maxContributors());
    }

    private static Facts acceptedEarlier(Facts f) {
        return new Facts(f.projectId(), f.state(), f.round(), f.totalTasks(), f.roundShards(), f.acceptedBy(), f.shardRows(), true,
                f.copiedDelta(), f.recentNorms(), f.normFactor(), f.lease(), f.leases(), f.maxContributors());
    }

    private static Facts norms(Facts f, List<Double> norms) {
        return new Facts(f.projectId(), f.state(), f.round(), f.totalTasks(), f.roundShards(), f.acceptedBy(), f.shardRows(),
                f.acceptedEarlier(), f.copiedDelta(), norms, f.normFactor(), f.lease(), f.leases(), f.maxContributors());
    }

    /** The result names {@code lease}; {@code holders}: who holds the live leases now, by shard. */
    private static Facts lease(Facts f, LeaseRow lease, Map<Integer, String> holders) {
        return new Facts(f.projectId(), f.state(), f.round(), f.totalTasks(), f.roundShards(), f.acceptedBy(), f.shardRows(),
                f.acceptedEarlier(), f.copiedDelta(), f.recentNorms(), f.normFactor(), lease, holders, f.maxContributors());
    }

    private static Facts copied(Facts f) {
        return new Facts(f.projectId(), f.state(), f.round(), f.totalTasks(), f.roundShards(), f.acceptedBy(), f.shardRows(), false, true,
                f.recentNorms(), f.normFactor(), f.lease(), f.leases(), f.maxContributors());
    }

    private static LeaseRow l1(String provider, int round, int shard, LeaseState state) {
        return new LeaseRow("l1", "p", round, shard, provider, 0, 1000, state);
    }

    static Stream<Arguments> rules() {
        Delta nan = Delta.refused("its delta has NaN at index 3");
        return Stream.of(
                row("unknown project", Row.fine().facts(f -> Facts.unknown("p")), Verdict.NO_SUCH_PROJECT, Kind.UNKNOWN, "no project p"),
                row("completed project", Row.fine().facts(f -> Facts.finished("p", ProjectState.COMPLETED)), Verdict.PROJECT_FINISHED,
                        Kind.STALE, "project p is finished"),
                row("cancelled project", Row.fine().facts(f -> Facts.finished("p", ProjectState.CANCELLED)), Verdict.PROJECT_FINISHED,
                        Kind.STALE, "project p is finished"),
                row("finished project: its delta is not looked at", Row.fine().facts(f -> Facts.finished("p", ProjectState.FAILED))
                        .delta(nan), Verdict.PROJECT_FINISHED, Kind.STALE, "is finished"),
                row("bad delta", Row.fine().delta(nan), Verdict.BAD_DELTA, Kind.REFUSED, "NaN at index 3"),
                row("bad delta comes before every round rule", Row.fine().task(9, 9, 9).delta(nan), Verdict.BAD_DELTA, Kind.REFUSED, "NaN"),
                row("the coordinator lost the delta: not the provider's doing", Row.fine().delta(Delta.lost("lost its copy")),
                        Verdict.DELTA_LOST, Kind.STALE, "lost its copy"),
                row("project still preparing", Row.fine().facts(f -> state(f, ProjectState.PREPARING)), Verdict.NOT_PREPARED, Kind.UNKNOWN,
                        "project p has no tasks yet"),
                row("round not started yet", Row.fine().task(3, 1, 3), Verdict.NO_SUCH_TASK, Kind.UNKNOWN,
                        "project p has no task for round 3, shard 1"),
                row("negative round", Row.fine().task(-1, 1, 2), Verdict.NO_SUCH_TASK, Kind.UNKNOWN, "round -1, shard 1"),
                row("negative shard", Row.fine().task(2, -1, 2), Verdict.NO_SUCH_TASK, Kind.UNKNOWN, "round 2, shard -1"),
                row("shard past the last", Row.fine().task(2, 6, 2), Verdict.NO_SUCH_TASK, Kind.UNKNOWN, "round 2, shard 6"),
                row("the same result again after its round closed", Row.fine().task(1, 3, 1).facts(ResultAdmissionTest::acceptedEarlier),
                        Verdict.ACCEPTED_EARLIER, Kind.DUPLICATE, "shard 3 of round 1 was already accepted"),
                row("a new result for a closed round", Row.fine().task(1, 3, 1), Verdict.ROUND_OVER, Kind.STALE,
                        "round 1 (version 1) is over; the project is at version 2"),
                row("trained on an older version", Row.fine().task(2, 1, 1), Verdict.ROUND_OVER, Kind.STALE,
                        "round 2 (version 1) is over"),
                row("shard not in this round", Row.fine().task(2, 2, 2), Verdict.NOT_IN_ROUND, Kind.UNKNOWN, "shard 2 is not part of round 2"),
                row("shard already in, same provider", Row.fine().task(2, 4, 2).from("b"), Verdict.ALREADY_ACCEPTED, Kind.DUPLICATE,
                        "shard 4 of round 2 was already accepted"),
                row("shard already in, from someone else", Row.fine().task(2, 4, 2), Verdict.ALREADY_ACCEPTED, Kind.DUPLICATE,
                        "was already accepted from another provider"),
                row("no lease named (forged or broken)", Row.fine().naming(null), Verdict.NO_LEASE, Kind.REFUSED, "it names no lease"),
                row("a lease never handed out", Row.fine().naming("l9").facts(f -> lease(f, null, Map.of(1, "a"))), Verdict.NO_LEASE,
                        Kind.REFUSED, "lease l9 was never handed out"),
                row("another provider's live lease (forged result)", Row.fine().from("x"), Verdict.NOT_YOUR_LEASE, Kind.REFUSED,
                        "lease l1 is not yours"),
                row("its own lease, for another shard", Row.fine().facts(f -> lease(f, l1("a", 2, 4, LeaseState.ACTIVE), Map.of(4, "a"))),
                        Verdict.NOT_YOUR_LEASE, Kind.REFUSED, "lease l1 is for another task"),
                row("its own lease, of an earlier round", Row.fine().facts(f -> lease(f, l1("a", 1, 1, LeaseState.EXPIRED), Map.of())),
                        Verdict.NOT_YOUR_LEASE, Kind.REFUSED, "is for another task"),
                row("a lease it gave back", Row.fine().facts(f -> lease(f, l1("a", 2, 1, LeaseState.RELEASED), Map.of())),
                        Verdict.LEASE_ENDED, Kind.STALE, "lease l1 ended (released)"),
                row("a lapsed lease whose shard went to another provider", Row.fine()
                        .facts(f -> lease(f, l1("a", 2, 1, LeaseState.EXPIRED), Map.of(1, "c"))), Verdict.LEASE_LAPSED, Kind.STALE,
                        "shard 1 went to another provider"),
                row("a lapsed lease while the project has its contributors", Row.fine()
                        .facts(f -> lease(f, l1("a", 2, 1, LeaseState.EXPIRED), Map.of(0, "c", 3, "d"))), Verdict.LEASE_LAPSED,
                        Kind.STALE, "has its 2 contributor(s) at work"),
                row("a lapsed lease, shard still free: the late result counts", Row.fine()
                        .facts(f -> lease(f, l1("a", 2, 1, LeaseState.EXPIRED), Map.of(0, "c"))), Verdict.ACCEPT, Kind.ACCEPTED, "accepted"),
                row("a lapsed lease, the provider already at work on another shard", Row.fine()
                        .facts(f -> lease(f, l1("a", 2, 1, LeaseState.EXPIRED), Map.of(0, "c", 3, "a"))), Verdict.ACCEPT, Kind.ACCEPTED,
                        "accepted"),
                row("forged result for a shard already in: nothing changes either way", Row.fine().task(2, 4, 2).from("x"),
                        Verdict.ALREADY_ACCEPTED, Kind.DUPLICATE, "already accepted"),
                row("wrong sample count", Row.fine().samples(11), Verdict.WRONG_SAMPLES, Kind.REFUSED,
                        "it reports 11 samples but shard 1 has 10 rows"),
                row("norm over the limit", Row.fine().delta(Delta.ok(10.5)), Verdict.OUTLIER_NORM, Kind.REFUSED,
                        "is more than 10× the median"),
                row("norm exactly at the limit", Row.fine().delta(Delta.ok(10.0)), Verdict.ACCEPT, Kind.ACCEPTED, "accepted"),
                row("a copy of an accepted update (free rider)", Row.fine().facts(ResultAdmissionTest::copied), Verdict.COPIED_DELTA,
                        Kind.REFUSED, "already accepted for another task"),
                row("a copy, even of the right size, after the lease rules", Row.fine().from("x").facts(ResultAdmissionTest::copied),
                        Verdict.NOT_YOUR_LEASE, Kind.REFUSED, "not yours"),
                row("a zero update (free rider)", Row.fine().delta(Delta.ok(0)), Verdict.ZERO_DELTA, Kind.REFUSED, "training changed nothing"),
                row("a zero update, even without norms for a median", Row.fine().delta(Delta.ok(0)).facts(f -> norms(f, List.of())),
                        Verdict.ZERO_DELTA, Kind.REFUSED, "zero"),
                row("a random small update (free rider)", Row.fine().delta(Delta.ok(0.009)), Verdict.TOO_SMALL, Kind.REFUSED,
                        "less than 1/100 of the median 1"),
                row("a tenth of the median: honest updates shrink as training converges", Row.fine().delta(Delta.ok(0.1)), Verdict.ACCEPT,
                        Kind.ACCEPTED, "accepted"),
                row("norm exactly a hundredth of the median", Row.fine().delta(Delta.ok(0.01)), Verdict.ACCEPT, Kind.ACCEPTED, "accepted"),
                row("small, with too few norms for a median", Row.fine().delta(Delta.ok(0.001)).facts(f -> norms(f, List.of(1.0, 1.0))),
                        Verdict.ACCEPT, Kind.ACCEPTED, "accepted"),
                row("too few norms for a median", Row.fine().delta(Delta.ok(500)).facts(f -> norms(f, List.of(1.0, 1.0))), Verdict.ACCEPT,
                        Kind.ACCEPTED, "accepted"),
                row("paused project: running tasks still count", Row.fine().facts(f -> state(f, ProjectState.PAUSED)), Verdict.ACCEPT,
                        Kind.ACCEPTED, "accepted"),
                row("all fine", Row.fine(), Verdict.ACCEPT, Kind.ACCEPTED, "accepted"));
    }

    private static Arguments row(String name, Row row, Verdict verdict, Kind kind, String reason) {
        return Arguments.of(name, row, verdict, kind, reason);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("rules")
    void decides(String name, Row row, Verdict verdict, Kind kind, String reason) {
        Admission admission = ResultAdmission.decide(row.facts(), row.provider(), row.result(), row.delta());
        assertEquals(verdict, admission.verdict(), name + ": " + admission.reason());
        assertEquals(kind, admission.kind(), name);
        assertTrue(admission.reason().contains(reason), name + ": '" + admission.reason() + "' should contain '" + reason + "'");
        if (verdict == Verdict.ALREADY_ACCEPTED && row.provider().equals("b")) {
            assertTrue(!admission.reason().contains("another provider"), admission.reason());
        }
    }

    @Test
    void theTableHasARowForEveryVerdict() {
        Set<Verdict> covered = EnumSet.noneOf(Verdict.class);
        rules().forEach(a -> covered.add((Verdict) a.get()[2]));
        assertEquals(EnumSet.allOf(Verdict.class), covered);
    }
}
