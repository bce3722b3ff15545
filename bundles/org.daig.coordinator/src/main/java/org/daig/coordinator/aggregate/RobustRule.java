package org.daig.coordinator.aggregate;

import java.util.List;

/**
 * How a round's deltas are combined into one step, given all at once (the robust rules compare
 * them with each other). Deltas are never modified. docs/robustness.md says which rule to pick.
 */
public interface RobustRule {

    /** The rule as a project names it, with its parameters, e.g. {@code trimmed-mean:beta=0.2}. */
    String describe();

    /**
     * @param deltas  the round's deltas, all of one length, in shard order
     * @param samples each delta's sample count (its weight where the rule weighs)
     * @return the step to add to the current parameters
     */
    float[] combine(List<float[]> deltas, long[] samples);
}
