package org.daig.coordinator.aggregate;

import java.io.IOException;
import java.util.List;

/**
 * How a round's updates become the next model version. Works on plain float arrays: the
 * coordinator needs no ND4J. Strategies are chosen per project by {@link #name()}.
 */
public interface AggregationStrategy {

    /** One provider's update: its weight and a way to read its delta (read one at a time, to bound memory). */
    interface Update {
        long samples();

        float[] delta() throws IOException;
    }

    /** The project setting naming this strategy. */
    String name();

    /** Whether results computed on an older version are refused (synchronous) or folded in. */
    boolean synchronous();

    /** The next parameters from the current ones and the round's updates (given in shard order). */
    float[] aggregate(float[] current, List<? extends Update> updates) throws IOException;
}
