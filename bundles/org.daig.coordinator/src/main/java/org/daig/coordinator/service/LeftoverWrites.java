package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the task desk's decisions leave for later ({@link TaskDesk#writeLeftovers}: the rows of
 * leases that ended with their task's result), written by the exchange's thread while it has
 * nothing to decide, so that a round's burst of results does not wait for them. Desk thread only.
 */
final class LeftoverWrites {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverWrites.class);

    private final TaskDesk desk;
    private boolean waiting = true;
    private long lastWarning = System.nanoTime() - 60_000_000_000L;

    LeftoverWrites(TaskDesk desk) {
        this.desk = desk;
    }

    /** Whether some may be waiting: the exchange then looks again whenever it is idle. */
    boolean waiting() {
        return waiting;
    }

    /** A group was decided: it may have left some. */
    void mayWait() {
        waiting = true;
    }

    /** Writes them, one commit at a time, while {@code idle} holds; until none is left. */
    void writeWhile(BooleanSupplier idle) {
        try {
            while (waiting && idle.getAsBoolean()) {
                waiting = desk.writeLeftovers();
            }
        } catch (SQLException | RuntimeException e) {
            long now = System.nanoTime();
            if (now - lastWarning >= 60_000_000_000L) { // tried again whenever idle: say so once a minute
                lastWarning = now;
                LOG.warn("Writing the ends of finished leases failed ({}); they are tried again when the task exchange is idle",
                        e.toString());
            }
        }
    }
}
