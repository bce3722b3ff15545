package org.daig.coordinator.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.daig.api.blob.BlobStore;
import org.daig.api.project.ProjectSpec;
import org.daig.coordinator.aggregate.AggregationStrategy;
import org.daig.coordinator.aggregate.KBatchSyncSgd;
import org.daig.coordinator.aggregate.StrategyName;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scheduler's round closer: reads the current version and the deltas, aggregates, stores the next version. */
@Component(service = RoundAggregation.class)
public class Aggregation implements RoundAggregation {

    private static final Logger LOG = LoggerFactory.getLogger(Aggregation.class);

    private final Map<String, AggregationStrategy> strategies = Map.of(ProjectSpec.KBATCH_SYNC, new KBatchSyncSgd());
    private final VectorBlobs vectors;
    private final CoordinatorMetrics metrics;

    @Activate
    public Aggregation(BundleContext context, @Reference(name = "blobs") BlobStore blobs,
            @Reference(name = "metrics") CoordinatorMetrics metrics) {
        this(new VectorBlobs(blobs, WorkDir.of(context).resolve("tmp")), metrics);
    }

    Aggregation(VectorBlobs vectors, CoordinatorMetrics metrics) {
        this.vectors = vectors;
        this.metrics = metrics;
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
                public float[] delta() throws IOException {
                    return vectors.readDelta(r.deltaBlob(), project.paramCount(), project.spec().compression());
                }
            });
        }
        StrategyName strategy = StrategyName.parse(project.spec().strategy(), strategies.keySet());
        AggregationStrategy.Outcome outcome = strategies.get(strategy.strategy()).aggregate(current, updates, strategy.rule());
        for (int k : outcome.dropped()) {
            ResultRow r = results.get(k);
            LOG.warn("Project {} round {}: the result of {} for shard {} is left out of the next version: with it the version would not be "
                    + "finite or would hold a parameter beyond ±{}", project.id(), r.round(), r.providerId(), r.shard(),
                    KBatchSyncSgd.ABSURD);
        }
        String id = vectors.store(outcome.next());
        metrics.roundAggregated(System.nanoTime() - start);
        return id;
    }
}
