package org.daig.coordinator.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.daig.api.blob.BlobStore;
import org.daig.coordinator.aggregate.AggregationStrategy;
import org.daig.coordinator.aggregate.AsyncSgd;
import org.daig.coordinator.aggregate.KBatchSyncSgd;
import org.daig.coordinator.aggregate.LockFreeSgd;
import org.daig.coordinator.aggregate.ParameterShards;
import org.daig.coordinator.aggregate.StrategyName;
import org.daig.coordinator.schedule.AsyncUpdates;
import org.daig.coordinator.schedule.LostDeltas;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.wire.ParamsDiff;
import org.daig.wire.UpdateCodec;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scheduler's round closer: reads the current version and the deltas, aggregates, stores the next version. */
@Component(service = RoundAggregation.class, configurationPid = ProjectServiceConfig.PID)
public class Aggregation implements RoundAggregation {

    private static final Logger LOG = LoggerFactory.getLogger(Aggregation.class);

    /** In the order they are listed to requestors. */
    private final Map<String, AggregationStrategy> strategies;

    private static Map<String, AggregationStrategy> strategies(AggregationStrategy... all) {
        Map<String, AggregationStrategy> byName = new java.util.LinkedHashMap<>();
        for (AggregationStrategy s : all) {
            byName.put(s.name(), s);
        }
        return java.util.Collections.unmodifiableMap(byName);
    }

    private final VectorBlobs vectors;
    private final CoordinatorMetrics metrics;
    private final ExecutorService pool;
    private final ParameterShards shards;
    private final CheckedDeltas checked;

    @Activate
    public Aggregation(BundleContext context, @Reference(name = "blobs") BlobStore blobs,
            @Reference(name = "metrics") CoordinatorMetrics metrics, @Reference(name = "checked") CheckedDeltas checked,
            ProjectServiceConfig config) {
        this(new VectorBlobs(blobs, WorkDir.of(context).resolve("tmp")), metrics, config.aggregationShards(), config.lockFreeThreads(),
                checked);
    }

    Aggregation(VectorBlobs vectors, CoordinatorMetrics metrics) {
        this(vectors, metrics, 1, 2, CheckedDeltas.NONE);
    }

    /**
     * @param shards parameter shards; {@code lockFreeThreads} add async-lockfree updates at once (the pool serves both);
     *        {@code checked}: deltas the intake kept, read from the store only when not there
     */
    Aggregation(VectorBlobs vectors, CoordinatorMetrics metrics, int shards, int lockFreeThreads, CheckedDeltas checked) {
        this.vectors = vectors;
        this.checked = checked;
        this.metrics = metrics;
        this.pool = Executors.newFixedThreadPool(Math.max(1, Math.max(shards, lockFreeThreads)), r -> {
            Thread t = new Thread(r, "daig-parameter-server");
            t.setDaemon(true);
            return t;
        });
        this.shards = new ParameterShards(pool, shards);
        this.strategies = strategies(new KBatchSyncSgd(), new AsyncSgd(AsyncUpdates.APPLY), new AsyncSgd(AsyncUpdates.QUEUE),
                new LockFreeSgd(AsyncUpdates.LOCKFREE, pool, lockFreeThreads));
    }

    @Deactivate
    void deactivate() {
        pool.shutdownNow();
    }

    @Override
    public Set<String> strategies() {
        return strategies.keySet();
    }

    @Override
    public String aggregate(ProjectRow project, String currentParams, List<ResultRow> results) throws IOException {
        long start = System.nanoTime();
        float[] current = vectors.read(currentParams, project.paramCount());
        List<AggregationStrategy.Update> updates = new ArrayList<>();
        for (ResultRow r : results) {
            updates.add(new AggregationStrategy.Update() {
                @Override
                public long samples() {
                    return r.samples();
                }

                @Override
                public double norm() {
                    return r.norm();
                }

                @Override
                public int staleness() {
                    return project.round() - r.baseVersion(); // asynchronous: versions made since its provider got its parameters
                }

                @Override
                public float[] delta() throws IOException {
                    float[] kept = checked.get(r.deltaBlob(), project.spec().compression());
                    return kept != null ? kept : vectors.readDelta(r.deltaBlob(), project.paramCount(), project.spec().compression());
                }
            });
        }
        StrategyName strategy = StrategyName.parse(project.spec().strategy(), strategies.keySet());
        AggregationStrategy.Outcome outcome;
        try {
            outcome = shards.aggregate(strategies.get(strategy.strategy()), current, updates, strategy.rule());
        } catch (IOException e) {
            throw lostOr(e, project, results);
        }
        for (int k : outcome.dropped()) {
            ResultRow r = results.get(k);
            LOG.warn("Project {} round {}: the result of {} for shard {} is left out of the next version: with it the version would not be "
                    + "finite or would hold a parameter beyond ±{}", project.id(), r.round(), r.providerId(), r.shard(),
                    KBatchSyncSgd.ABSURD);
        }
        String id = vectors.store(outcome.next());
        checked.forget(results.stream().map(ResultRow::deltaBlob).toList(), project.spec().compression());
        metrics.roundAggregated(System.nanoTime() - start);
        return id;
    }

    /**
     * {@link LostDeltas} when the store lost deltas of {@code results} (after removing what is left
     * of them, so that the same bytes uploaded again are stored afresh), else {@code failure}.
     */
    private IOException lostOr(IOException failure, ProjectRow project, List<ResultRow> results) {
        Set<String> lost = new LinkedHashSet<>();
        try {
            for (ResultRow r : results) {
                if (checked.get(r.deltaBlob(), project.spec().compression()) == null && vectors.removeIfLost(r.deltaBlob())) {
                    lost.add(r.deltaBlob());
                }
            }
        } catch (IOException e) {
            return failure; // the store cannot be read now: nothing tells a lost delta from an unreachable one
        }
        return lost.isEmpty() ? failure : new LostDeltas(lost);
    }

    /**
     * Compressed projects send their parameters down as differences: B(v) = B(v-1) + decode(D(v)),
     * D(v) = encode(P(v) - B(v-1)), both stored as blobs (docs/protocol.md, "Parameters as differences").
     */
    @Override
    public Scheduler.Sent sent(ProjectRow project, String previousSent, String params) throws IOException {
        UpdateCodec.Compression compression = ParamsDiff.encodingFor(UpdateCodec.Compression.parse(project.spec().compression()));
        if (compression.none() || previousSent == null) {
            return new Scheduler.Sent(params, null);
        }
        float[] sent = vectors.read(previousSent, project.paramCount());
        byte[] diff = ParamsDiff.encode(sent, vectors.read(params, project.paramCount()), compression);
        ParamsDiff.apply(sent, diff, compression);
        return new Scheduler.Sent(vectors.store(sent), vectors.store(diff));
    }
}
