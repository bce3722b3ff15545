package org.daig.provider.work;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo: {@code daig:participate}, {@code daig:stop}, {@code daig:snooze MINUTES} (0 ends a snooze),
 * {@code daig:work} (what the provider is doing).
 */
@Component(service = WorkCommands.class, property = {
        "osgi.command.scope=daig",
        "osgi.command.function=participate",
        "osgi.command.function=stop",
        "osgi.command.function=snooze",
        "osgi.command.function=work" })
public class WorkCommands {

    @Reference
    private Participation participation;

    public String participate() throws Exception {
        participation.participate(true);
        return work();
    }

    public String stop() throws Exception {
        participation.participate(false);
        return work();
    }

    public String snooze(int minutes) {
        participation.snoozeUntil(minutes <= 0 ? null : java.time.Instant.now().plusSeconds(60L * minutes));
        return participation.status().summary();
    }

    public String work() {
        WorkStatus s = participation.workStatus();
        return (s.participating() ? "participating" : "not participating") + "; " + s.activity() + "; policy: " + s.decision()
                + "; tasks done: " + s.tasksDone() + String.format(", credit %.6f", s.creditEarned())
                + (s.lastProblem() == null ? "" : "; last problem: " + s.lastProblem());
    }
}
