package org.daig.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import org.daig.api.project.Progress;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.daig.cli.Commands.RequestorCommand;
import org.daig.requestor.RequestorClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The requestor's commands about the projects on a coordinator (docs/protocol.md, "Requestor API"). */
final class ProjectCommands {

    private ProjectCommands() {
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the coordinator's projects.")
    static final class ListProjects extends RequestorCommand {
        @Override
        int call(RequestorClient coordinator, Context context) throws Exception {
            PrintStream out = context.out();
            List<ProjectView> projects = coordinator.projects();
            out.println(String.format("%-14s %-24s %-10s %-9s %-9s %s", "PROJECT", "NAME", "STATE", "ROUND", "VAL ACC", "ETA"));
            for (ProjectView p : projects) {
                out.println(String.format(Locale.ROOT, "%-14s %-24.24s %-10s %-9s %-9s %s", p.id(), p.spec().name(), p.state(),
                        p.round() + "/" + p.totalRounds(), p.latest() == null ? "-" : num(p.latest().accuracy()), eta(p.etaSeconds())));
            }
            return 0;
        }
    }

    /** A command about one project. */
    abstract static class OneProject extends RequestorCommand {
        @Parameters(index = "0", paramLabel = "PROJECT", description = "the project's id (daig list shows them)")
        String id;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows a project's state, round, data and latest figures.")
    static final class Status extends OneProject {
        @Override
        int call(RequestorClient coordinator, Context context) throws Exception {
            PrintStream out = context.out();
            ProjectView p = coordinator.project(id);
            out.println("project:      " + p.id() + " '" + p.spec().name() + "'");
            out.println("state:        " + p.state() + (p.message() == null ? "" : " — " + p.message()));
            out.println("round:        " + p.round() + " of " + p.totalRounds() + " (version " + p.version() + ")");
            out.println("contributors: " + p.contributors() + " now, at most " + p.spec().maxContributors());
            out.println(String.format(Locale.ROOT, "data:         %,d training rows in %d tasks (K=%d), %,d validation rows; %,d parameters",
                    p.trainRows(), p.spec().totalTasks(), p.spec().taskSize(), p.validationRows(), p.params()));
            if (p.latest() != null) {
                out.println("latest:       " + line(p.latest()));
            }
            out.println("ETA:          " + eta(p.etaSeconds()));
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = { "Prints a line for each new model version (a round) until the project ends.",
                    "Exits 0 when the project completed, 1 when it failed or was cancelled." })
    static final class Watch extends OneProject {
        @Override
        int call(RequestorClient coordinator, Context context) throws Exception {
            int printed = 0;
            while (true) {
                ProjectView p = coordinator.project(id);
                for (Progress v : coordinator.versions(id)) {
                    boolean evaluated = !Double.isNaN(v.loss()) || p.validationRows() == 0;
                    if (v.version() > printed && evaluated) {
                        context.out().println(line(v));
                        printed = v.version();
                    }
                }
                if (p.state().isFinal() && printed >= p.version()) {
                    context.out().println("project " + id + " " + p.state().name().toLowerCase(Locale.ROOT)
                            + (p.message() == null ? "" : ": " + p.message()));
                    return p.state() == ProjectState.COMPLETED ? 0 : 1;
                }
                Thread.sleep(500); // polling the coordinator twice a second
            }
        }
    }

    /** pause, resume, cancel: one action, then the state it left the project in. */
    abstract static class Action extends OneProject {
        @Override
        int call(RequestorClient coordinator, Context context) throws Exception {
            ProjectView p = act(coordinator);
            context.out().println(p.id() + " is " + p.state());
            return 0;
        }

        abstract ProjectView act(RequestorClient coordinator) throws Exception;
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pauses a project: no new tasks are handed out.")
    static final class Pause extends Action {
        @Override
        ProjectView act(RequestorClient coordinator) throws Exception {
            return coordinator.pause(id);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resumes a paused project.")
    static final class Resume extends Action {
        @Override
        ProjectView act(RequestorClient coordinator) throws Exception {
            return coordinator.resume(id);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a project for good.")
    static final class Cancel extends Action {
        @Override
        ProjectView act(RequestorClient coordinator) throws Exception {
            return coordinator.cancel(id);
        }
    }

    static String line(Progress v) {
        return String.format(Locale.ROOT, "round %d/%d  version %d  val loss %s  val acc %s  train loss %s  contributors %d  %.0f samples/s  ETA %s",
                v.round() + 1, v.totalRounds(), v.version(), num(v.loss()), num(v.accuracy()), num(v.trainLoss()), v.contributors(),
                v.samplesPerSecond(), eta(v.etaSeconds()));
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String eta(double seconds) {
        if (seconds < 0 || Double.isNaN(seconds)) {
            return "-";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60) : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
