package org.daig.provider.work;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo: {@code daig:participate}, {@code daig:stop}, {@code daig:work} (what the provider is doing). */
@Component(service = WorkCommands.class, property = {
        "osgi.command.scope=daig",
        "osgi.command.function=participate",
        "osgi.command.function=stop",
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

    public String work() {
        TaskRunner.Status s = runner.status();
        return (s.participating() ? "participating" : "not participating") + "; " + s.activity() + "; policy: " + s.decision()
                + "; tasks done: " + s.tasksDone() + String.format(", credit %.6f", s.creditEarned())
                + (s.lastProblem() == null ? "" : "; last problem: " + s.lastProblem());
    }
}
