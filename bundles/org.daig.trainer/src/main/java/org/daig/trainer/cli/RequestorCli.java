package org.daig.trainer.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.daig.api.project.Problem;
import org.daig.api.project.Progress;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectView;
import org.daig.blob.client.BlobClient;
import org.daig.trainer.TrainerException;
import org.daig.trainer.cli.TrainerCli.Options;
import org.daig.trainer.data.DataCheck;
import org.daig.trainer.data.NpyArray;
import org.daig.trainer.data.NpzArchive;
import org.daig.trainer.keras.TrainableModel;
import org.daig.trainer.protocol.FiniteOrNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;

/**
 * The requestor's commands: submit a project (checked here first, before any byte is uploaded),
 * list, status, watch, pause, resume, cancel and download. They speak the coordinator's HTTP API
 * (docs/protocol.md, "Requestor API"); the coordinator is {@code --coordinator URL}, else
 * {@code $DAIG_COORDINATOR}, else http://127.0.0.1:7700.
 */
final class RequestorCli {

    static final Set<String> COMMANDS = Set.of("submit", "list", "status", "watch", "pause", "resume", "cancel", "download");

    private static final Gson GSON = new GsonBuilder().serializeNulls()
            .registerTypeAdapter(double.class, new FiniteOrNull()).registerTypeAdapter(Double.class, new FiniteOrNull()).create();

    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String base;

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
        base = options.getOr("coordinator", System.getenv().getOrDefault("DAIG_COORDINATOR", "http://127.0.0.1:7700"));
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        try {
            return switch (command) {
            case "submit" -> submit(options);
            case "list" -> list();
            case "status" -> status(options.positionalOrRequired(0, "PROJECT"));
            case "watch" -> watch(options.positionalOrRequired(0, "PROJECT"));
            case "pause", "resume", "cancel" -> action(command, options.positionalOrRequired(0, "PROJECT"));
            default -> download(options);
            };
        } catch (java.net.ConnectException e) {
            System.err.println("daig: cannot reach the coordinator at " + base + " (is it running? set --coordinator or DAIG_COORDINATOR)");
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
        BlobClient blobs = new BlobClient(URI.create(base + "/api/v1/blobs/"));
        String modelId = upload(blobs, "model", model);
        String xId = upload(blobs, "x", x);
        String yId = upload(blobs, "y", y);
        ProjectSpec spec = new ProjectSpec(settings.name(), modelId, xId, yId, settings.epochs(), settings.batchSize(),
                settings.totalTasks(), settings.taskSize(), settings.maxContributors(), settings.validationRate(), settings.passes(),
                settings.strategy(), settings.seed());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(GSON.toJson(spec))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 422) {
            System.err.println("daig: the coordinator refused the project:");
            JsonObject body = JsonParser.parseString(r.body()).getAsJsonObject();
            for (Problem p : GSON.<List<Problem>>fromJson(body.get("problems"), new TypeToken<List<Problem>>() { }.getType())) {
                System.err.println("  - " + p.field() + ": " + p.message());
            }
            return 1;
        }
        ProjectView view = GSON.fromJson(expect(r, 201), ProjectView.class);
        out.println("submitted project " + view.id() + " (" + view.totalRounds() + " rounds); watch it with: daig watch " + view.id());
        out.println(view.id());
        return 0;
    }

    /** Every problem the coordinator would find, found here before anything is uploaded. */
    static List<String> preflight(Path model, Path x, Path y, ProjectSpec s) {
        List<String> problems = new ArrayList<>();
        if (s.epochs() < 1) {
            problems.add("--epochs must be at least 1");
        }
        if (s.batchSize() < 1) {
            problems.add("--batch must be at least 1");
        }
        if (s.totalTasks() < 1) {
            problems.add("--tasks must be at least 1");
        }
        if (s.taskSize() < 1 || s.taskSize() > Math.max(1, s.totalTasks())) {
            problems.add("--k (tasks per round) must be between 1 and --tasks (" + s.totalTasks() + ")");
        }
        if (s.maxContributors() < 1) {
            problems.add("--contributors must be at least 1");
        }
        if (!(s.validationRate() >= 0 && s.validationRate() <= 0.9)) {
            problems.add("--validation must be a fraction from 0 to 0.9");
        }
        if (s.passes() < 1) {
            problems.add("--passes must be at least 1");
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

    private String upload(BlobClient blobs, String what, Path file) throws IOException {
        long size = Files.size(file);
        ProgressBar bar = new ProgressBar(out, what + " " + file.getFileName(), size);
        String id = blobs.upload(file, bar::update);
        bar.done();
        return id;
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

        void done() {
            update(total);
            out.println();
        }
    }

    // ------------------------------------------------------------------ views

    private int list() throws Exception {
        List<ProjectView> projects = GSON.fromJson(get("/api/v1/projects"), new TypeToken<List<ProjectView>>() { }.getType());
        out.println(String.format("%-14s %-24s %-10s %-9s %-9s %s", "PROJECT", "NAME", "STATE", "ROUND", "VAL ACC", "ETA"));
        for (ProjectView p : projects) {
            out.println(String.format(Locale.ROOT, "%-14s %-24.24s %-10s %-9s %-9s %s", p.id(), p.spec().name(), p.state(),
                    p.round() + "/" + p.totalRounds(), p.latest() == null ? "-" : num(p.latest().accuracy()), eta(p.etaSeconds())));
        }
        return 0;
    }

    private int status(String id) throws Exception {
        ProjectView p = GSON.fromJson(get("/api/v1/projects/" + id), ProjectView.class);
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
            ProjectView p = GSON.fromJson(get("/api/v1/projects/" + id), ProjectView.class);
            List<Progress> versions = GSON.fromJson(get("/api/v1/projects/" + id + "/versions"), new TypeToken<List<Progress>>() { }.getType());
            for (Progress v : versions) {
                boolean evaluated = !Double.isNaN(v.loss()) || p.validationRows() == 0;
                if (v.version() > printed && evaluated) {
                    out.println(line(v));
                    printed = v.version();
                }
            }
            if (p.state().isFinal() && printed >= p.version()) {
                out.println("project " + id + " " + p.state().name().toLowerCase(Locale.ROOT) + (p.message() == null ? "" : ": " + p.message()));
                return p.state() == org.daig.api.project.ProjectState.COMPLETED ? 0 : 1;
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
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects/" + id + "/" + action))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        ProjectView p = GSON.fromJson(expect(r, 200), ProjectView.class);
        out.println(p.id() + " is " + p.state());
        return 0;
    }

    private int download(Options o) throws Exception {
        String id = o.positionalOrRequired(0, "PROJECT");
        String format = o.getOr("format", "h5");
        Path target = Path.of(o.getOr("out", id + "." + format));
        String query = "?format=" + format + (o.has("version") ? "&version=" + o.get("version") : "");
        HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects/" + id + "/model" + query)).build(),
                HttpResponse.BodyHandlers.ofFile(Files.createTempFile(target.toAbsolutePath().getParent(), ".download", ".part")));
        if (r.statusCode() != 200) {
            String body = Files.readString(r.body());
            Files.deleteIfExists(r.body());
            expect(new StringResponse(r.statusCode(), body), 200);
        }
        Files.move(r.body(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        out.println("wrote " + target + " (" + Files.size(target) + " bytes)");
        return 0;
    }

    // ------------------------------------------------------------------ HTTP

    private String get(String path) throws Exception {
        return expect(http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString()), 200);
    }

    private record StringResponse(int status, String body) {
    }

    private String expect(HttpResponse<String> r, int status) throws TrainerException {
        return expect(new StringResponse(r.statusCode(), r.body()), status);
    }

    private String expect(StringResponse r, int status) throws TrainerException {
        if (r.status() == status) {
            return r.body();
        }
        String message = r.body();
        try {
            message = JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
        } catch (RuntimeException notJson) {
            // keep the body as it is
        }
        throw new TrainerException("the coordinator at " + base + " answered " + r.status() + ": " + message);
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
