package org.daig.provider.work;

/**
 * What the work loop is doing, for the loopback endpoint {@code GET /api/provider/work} and Gogo
 * (the tray reads {@link org.daig.api.volunteer.VolunteerStatus}); its JSON field names are read by scripts and tests.
 */
public record WorkStatus(boolean participating, String activity, String decision, boolean mayRun, String projectId, int round,
        int shard, long tasksDone, double creditEarned, String lastProblem, long workerPid, boolean suspended) {
}
