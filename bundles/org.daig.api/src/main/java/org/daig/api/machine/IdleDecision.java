package org.daig.api.machine;

/**
 * Whether the provider may train now, and why, in words a person understands ("user active 12 s
 * ago", "on battery 38%", "GPU used by another process", "idle 5 min, foreign CPU 3%").
 *
 * @param mayRun  whether training may run
 * @param reason  the rule that decided, for the log and the tray
 * @param state   the readings it was decided on
 */
public record IdleDecision(boolean mayRun, String reason, MachineState state) {
}
