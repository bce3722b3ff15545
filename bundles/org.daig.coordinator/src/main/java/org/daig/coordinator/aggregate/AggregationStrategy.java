package org.daig.coordinator.aggregate;

import java.io.IOException;
import java.util.List;

/**
 * How a round's updates become the next model version. Works on plain float arrays: the
 * coordinator needs no ND4J. Strategies are chosen per project by {@link #name()}; the robust
 * rule that combines a round's deltas by the part of the project's strategy after a slash
 * ({@link StrategyName}).
 */
public interface AggregationStrategy {

    /** One provider's update: its weight, its norm and a way to read its delta. */
    interface Update {
        long samples();

        /** The delta's L2 norm, as the coordinator's intake measured it when it accepted the (finite) delta. */
        double norm();

        float[] delta() throws IOException;

        /** How many versions the project moved on between the version this update was computed on and now. */
        default int staleness() {
            return 0;
        }
    }

    /**
     * The next parameters, and the updates (their indexes in the list given) left out of them:
     * non-finite, or taken out so that the version would be sound.
     */
    record Outcome(float[] next, List<Integer> dropped) {
    }

    /** The project setting naming this strategy. */
    String name();

    /** Whether results computed on an older version are refused (synchronous) or folded in. */
    boolean synchronous();

    /** The next parameters from the current ones and the round's updates (given in shard order). */
    Outcome aggregate(float[] current, List<? extends Update> updates, RobustAggregation rule) throws IOException;
}
