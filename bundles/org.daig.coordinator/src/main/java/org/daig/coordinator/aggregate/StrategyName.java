package org.daig.coordinator.aggregate;

import java.util.Set;

/**
 * A project's strategy setting: the strategy's name and, after a slash, its robust rule, e.g.
 * {@code kbatch-sync} (the default rule) or {@code kbatch-sync/trimmed-mean:beta=0.2}.
 */
public record StrategyName(String strategy, RobustAggregation rule) {

    /** Parses the setting; IllegalArgumentException with a message for the requestor naming the problem. */
    public static StrategyName parse(String setting, Set<String> strategies) {
        String s = setting == null ? "" : setting.strip();
        int slash = s.indexOf('/');
        String name = slash < 0 ? s : s.substring(0, slash).strip();
        if (!strategies.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is not available; choose one of " + strategies
                    + ", optionally with a robust rule, e.g. kbatch-sync/median");
        }
        return new StrategyName(name, RobustAggregation.parse(slash < 0 ? null : s.substring(slash + 1)));
    }
}
