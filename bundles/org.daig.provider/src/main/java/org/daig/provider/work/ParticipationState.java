package org.daig.provider.work;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

import org.daig.api.machine.IdleDecision;

/**
 * Whether the volunteer lets this machine work: participation (remembered in a file, so a restart
 * keeps the volunteer's choice), a snooze until a given time, and the idle policy's latest
 * decision. The decision tasks obey is the policy's, overruled by a snooze.
 */
final class ParticipationState {

    private static final DateTimeFormatter HOURS_MINUTES = DateTimeFormatter.ofPattern("HH:mm");

    private final Path file;
    private final Clock clock;
    private volatile boolean participating;
    private volatile Instant snoozedUntil;
    private volatile IdleDecision policy;

    /** Reads the remembered choice; {@code participateByDefault} is for a fresh installation only. */
    ParticipationState(Path file, boolean participateByDefault, Clock clock) throws IOException {
        this.file = file;
        this.clock = clock;
        this.participating = Files.exists(file) ? Files.readString(file).trim().equals("true") : participateByDefault;
    }

    boolean participating() {
        return participating;
    }

    void participate(boolean on) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Boolean.toString(on));
        participating = on;
    }

    Instant snoozedUntil() {
        return snoozedUntil;
    }

    /** Null ends a snooze. */
    synchronized void snoozeUntil(Instant until) {
        snoozedUntil = until;
    }

    /** Ends a snooze whose time has passed; true if it did (the decision changed). */
    synchronized boolean endSnoozeIfOver() {
        Instant until = snoozedUntil;
        if (until != null && clock.instant().isAfter(until)) {
            snoozedUntil = null;
            return true;
        }
        return false;
    }

    void policyChanged(IdleDecision decision) {
        policy = decision;
    }

    /** The idle policy's own decision, snooze or not (null before the monitor's first). */
    IdleDecision policy() {
        return policy;
    }

    /** The decision tasks obey: "snoozed until HH:mm" while snoozed, else the policy's. */
    IdleDecision decision() {
        IdleDecision p = policy;
        Instant until = snoozedUntil;
        return until == null ? p
                : new IdleDecision(false, "snoozed until " + HOURS_MINUTES.withZone(clock.getZone()).format(until), p == null ? null : p.state());
    }
}
