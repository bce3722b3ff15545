package org.daig.trainer.cli;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.daig.api.project.Problem;
import org.daig.api.project.Progress;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.daig.requestor.ProjectRefusedException;
import org.daig.requestor.RequestorClient;
import org.daig.requestor.RequestorException;
import org.daig.trainer.TrainerException;
import org.daig.trainer.cli.TrainerCli.Options;
import org.daig.trainer.cli.TrainerCli.UsageException;
import org.daig.trainer.data.DataCheck;
import org.daig.trainer.data.NpyArray;
import org.daig.trainer.data.NpzArchive;
import org.daig.trainer.keras.TrainableModel;

/**
 * The requestor's commands: submit a project (checked here first, before any byte is uploaded),
 * list, status, watch, pause, resume, cancel and download. They speak the coordinator's HTTP API
 * (docs/protocol.md, "Requestor API") through {@link RequestorClient}, the client the workbench
 * uses too; the coordinator is {@code --coordinator URL}, else {@code $DAIG_COORDINATOR}, else
 * http://127.0.0.1:7700.
 */
final class RequestorCli {

    static final Set<String> COMMANDS = Set.of("submit", "list", "status", "watch", "pause", "resume", "cancel", "download");

    /** The option that sets each {@link ProjectSpec} field: the settings' problems are worded in the options' terms. */
    private static final Map<String, String> OPTION_OF_FIELD = Map.of("name", "--name", "epochs", "--epochs", "batchSize", "--batch",
            "totalTasks", "--tasks", "taskSize", "--k (tasks per round)", "maxContributors", "--contributors", "validationRate",
            "--validation", "passes", "--passes", "strategy", "--strategy", "seed", "--seed");

    private final PrintStream out;
    private RequestorClient coordinator;

    RequestorCli(PrintStream out) {
        this.out = out;
    }

    int run(String command, String[] args) throws Exception {
        Set<String> known = switch (command) {
        case "submit" -> Set.of("coordinator", "name", "model", "x", "y", "epochs", "batch", "tasks", "k", "contributors",
                "validation", "passes", "seed", "strategy");
        case "download" -> Set.of("coordinator", "version", "format", "out");
        default -> Set.of("coordinator");
        };
        Options options = new Options(args, known);
        String address = options.getOr("coordinator", System.getenv().getOrDefault("DAIG_COORDINATOR", "http://127.0.0.1:7700"));
        try {
            coordinator = new RequestorClient(URI.create(address));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--coordinator must be an address like http://host:7700, not '" + address + "'");
        }
        try {
            return switch (command) {
            case "submit" -> submit(options);
            case "list" -> list();
            case "status" -> status(options.positionalOrRequired(0, "PROJECT"));
            case "watch" -> watch(options.positionalOrRequired(0, "PROJECT"));
            case "pause", "resume", "cancel" -> action(command, options.positionalOrRequired(0, "PROJECT"));
            default -> download(options);
            };
        } catch (RequestorException e) {
            System.err.println(e.unreachable()
                    ? "daig: cannot reach the coordinator at " + coordinator.coordinator() + " (is it running? set --coordinator or DAIG_COORDINATOR)"
                    : "daig: " + e.getMessage());
            return 1;
        }
    }

    // ------------------------------------------------------------------ submit

    private int submit(Options o) throws Exception {
        Path model = Path.of(o.required("model"));
        Path x = Path.of(o.required("x"));
        Path y = Path.of(o.required("y"));
        ProjectSpec settings = new ProjectSpec(o.getOr("name", model.getFileName().toString()), null, null, null, o.intValue("epochs"),
                o.intValue("batch"), o.intValue("tasks"), o.intValue("k"), Integer.parseInt(o.getOr("contributors", o.get("k"))),
                Double.parseDouble(o.getOr("validation", "0.1")), Integer.parseInt(o.getOr("passes", "1")),
                o.getOr("strategy", ProjectSpec.KBATCH_SYNC), Long.parseLong(o.getOr("seed", "1")));
        List<String> problems = preflight(model, x, y, settings);
        if (!problems.isEmpty()) {
            System.err.println("daig: the project is not submitted; nothing was uploaded. Fix these first:");
            problems.forEach(p -> System.err.println("  - " + p));
            return 1;
        }
        UploadBars bars = new UploadBars(out);
        ProjectView view;
        try {
            view = coordinator.submit(settings, model, x, y, bars, null).project();
        } catch (ProjectRefusedException e) {
            bars.end(); // the problems start on a line of their own
            System.err.println("daig: the coordinator refused the project:");
            for (Problem p : e.problems()) {
                System.err.println("  - " + p.field() + ": " + p.message());
            }
            return 1;
        } finally {
            bars.end(); // so does any other error's message
        }
        out.println("submitted project " + view.id() + " (" + view.totalRounds() + " rounds); watch it with: daig watch " + view.id());
        out.println(view.id());
        return 0;
    }

    /** Every problem the coordinator would find, found here before anything is uploaded. */
    static List<String> preflight(Path model, Path x, Path y, ProjectSpec s) {
        List<String> problems = new ArrayList<>();
        for (Problem p : RequestorClient.settingsProblems(s)) {
            problems.add(inOptionTerms(p));
        }
        TrainableModel trainable = null;
        try {
            trainable = TrainableModel.load(model);
        } catch (TrainerException e) {
            problems.add(e.getMessage());
        }
        try (NpyArray xs = NpzArchive.openAny(x); NpyArray ys = NpzArchive.openAny(y)) {
            problems.addAll(DataCheck.problems(trainable, xs, ys));
            long train = xs.rows() - (long) Math.floor(xs.rows() * s.validationRate());
            if (train < s.totalTasks()) {
                problems.add("--tasks " + s.totalTasks() + " is more than the " + train + " training rows: use at most " + train);
            }
        } catch (TrainerException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    /** "--epochs must be at least 1": the problem's field as the option that sets it. */
    static String inOptionTerms(Problem p) {
        // the requestor's messages name the number of tasks for a form; on the command line it is --tasks
        return OPTION_OF_FIELD.getOrDefault(p.field(), p.field()) + " " + p.message().replace("the number of tasks", "--tasks");
    }

    /** One progress bar per uploaded file, each finished on its own line. */
    private static final class UploadBars implements RequestorClient.UploadProgress {
        private final PrintStream out;
        private String current;
        private ProgressBar bar;

        UploadBars(PrintStream out) {
            this.out = out;
        }

        @Override
        public void uploaded(String what, Path file, long sent, long total) {
            if (!what.equals(current)) {
                end();
                current = what;
                bar = new ProgressBar(out, what + " " + file.getFileName(), total);
            }
            bar.update(sent);
        }

        void end() {
            if (bar != null) {
                bar.done();
                bar = null;
            }
        }
    }

    /** A one-line progress bar, redrawn in place. */
    private static final class ProgressBar {
        private final PrintStream out;
        private final String label;
        private final long total;
        private int shown = -1;

        ProgressBar(PrintStream out, String label, long total) {
            this.out = out;
            this.label = label;
            this.total = Math.max(1, total);
        }

        void update(long sent) {
            int percent = (int) (100 * Math.min(sent, total) / total);
            if (percent != shown) {
                shown = percent;
                int filled = percent / 4;
                out.print(String.format(Locale.ROOT, "\rupload %-28s [%s%s] %3d%%", label, "#".repeat(filled), " ".repeat(25 - filled), percent));
                out.flush();
            }
        }

        /** Ends the bar's line where it stands: a finished upload reported its total already, a failed one shows how far it got. */
        void done() {
            out.println();
        }
    }

    // ------------------------------------------------------------------ views

    private int list() throws Exception {
        List<ProjectView> projects = coordinator.projects();
        out.println(String.format("%-14s %-24s %-10s %-9s %-9s %s", "PROJECT", "NAME", "STATE", "ROUND", "VAL ACC", "ETA"));
        for (ProjectView p : projects) {
            out.println(String.format(Locale.ROOT, "%-14s %-24.24s %-10s %-9s %-9s %s", p.id(), p.spec().name(), p.state(),
                    p.round() + "/" + p.totalRounds(), p.latest() == null ? "-" : num(p.latest().accuracy()), eta(p.etaSeconds())));
        }
        return 0;
    }

    private int status(String id) throws Exception {
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

    /** Prints each new version as it arrives until the project ends. */
    private int watch(String id) throws Exception {
        int printed = 0;
        while (true) {
            ProjectView p = coordinator.project(id);
            List<Progress> versions = coordinator.versions(id);
            for (Progress v : versions) {
                boolean evaluated = !Double.isNaN(v.loss()) || p.validationRows() == 0;
                if (v.version() > printed && evaluated) {
                    out.println(line(v));
                    printed = v.version();
                }
            }
            if (p.state().isFinal() && printed >= p.version()) {
                out.println("project " + id + " " + p.state().name().toLowerCase(Locale.ROOT) + (p.message() == null ? "" : ": " + p.message()));
                return p.state() == ProjectState.COMPLETED ? 0 : 1;
            }
            Thread.sleep(500); // polling the coordinator twice a second
        }
    }

    private static String line(Progress v) {
        return String.format(Locale.ROOT, "round %d/%d  version %d  val loss %s  val acc %s  train loss %s  contributors %d  %.0f samples/s  ETA %s",
                v.round() + 1, v.totalRounds(), v.version(), num(v.loss()), num(v.accuracy()), num(v.trainLoss()), v.contributors(),
                v.samplesPerSecond(), eta(v.etaSeconds()));
    }

    private int action(String action, String id) throws Exception {
        ProjectView p = switch (action) {
        case "pause" -> coordinator.pause(id);
        case "resume" -> coordinator.resume(id);
        default -> coordinator.cancel(id);
        };
        out.println(p.id() + " is " + p.state());
        return 0;
    }

    private int download(Options o) throws Exception {
        String id = o.positionalOrRequired(0, "PROJECT");
        String format = o.getOr("format", "h5");
        Path target = Path.of(o.getOr("out", id + "." + format));
        Integer version = o.has("version") ? o.intValue("version") : null; // null: the newest
        coordinator.download(id, version, format, target);
        out.println("wrote " + target + " (" + Files.size(target) + " bytes)");
        return 0;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String eta(double seconds) {
        if (seconds < 0 || Double.isNaN(seconds)) {
            return "-";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60) : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
