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
    private TaskRunner runner;

    public String participate() throws Exception {
        runner.participate(true);
        return work();
    }

    public String stop() throws Exception {
        runner.participate(false);
        return work();
    }

    public String snooze(int minutes) {
        runner.snoozeUntil(minutes <= 0 ? null : java.time.Instant.now().plusSeconds(60L * minutes));
        return runner.status().summary();
    }

    public String work() {
        TaskRunner.Status s = runner.workStatus();
        return (s.participating() ? "participating" : "not participating") + "; " + s.activity() + "; policy: " + s.decision()
                + "; tasks done: " + s.tasksDone() + String.format(", credit %.6f", s.creditEarned())
                + (s.lastProblem() == null ? "" : "; last problem: " + s.lastProblem());
    }
}
