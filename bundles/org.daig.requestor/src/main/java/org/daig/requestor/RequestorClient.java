package org.daig.requestor;

import java.io.IOException;
import java.lang.reflect.Type;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import org.daig.api.project.Problem;
import org.daig.api.project.ProjectChecks;
import org.daig.api.project.Progress;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectView;
import org.daig.blob.client.BlobClient;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;

/**
 * The requestor's client of the coordinator's HTTP API (docs/protocol.md, "Requestor API"):
 * submit a project, list and follow projects, pause, resume or cancel one, download its model.
 * Every failure is a {@link RequestorException} whose message can be shown to a person as it is;
 * a 401 (no token, or an expired or revoked one) is a {@link NotAuthenticatedException}.
 * The caller's bearer token (from {@code POST /api/v1/login}, see {@link AccountClient}) goes with
 * every request, blob uploads and downloads included.
 * Plain Java (no OSGi needed), immutable and thread-safe: one instance can serve a whole
 * workbench.
 */
public final class RequestorClient {

    /** Told how far each file's upload is; {@code what} is "model", "x" or "y". */
    @FunctionalInterface
    public interface UploadProgress {
        void uploaded(String what, Path file, long sent, long total);
    }

    /** A project the coordinator accepted. */
    public record Submission(ProjectView project) {
    }

    public static final Set<String> DOWNLOAD_FORMATS = Set.of("model", "keras", "h5", "zip", "npy");

    /** A submission waits for the coordinator's trainer to check the model and the data, which can take minutes. */
    private static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(10);

    private static final Type PROJECT_LIST = new TypeToken<List<ProjectView>>() { }.getType();
    private static final Type PROGRESS_LIST = new TypeToken<List<Progress>>() { }.getType();
    private static final Type PROBLEM_LIST = new TypeToken<List<Problem>>() { }.getType();
    /** How BlobClient words a 401 ("... answered 401 to PUT id: ..."); it has no status of its own to ask. */
    private static final Pattern BLOB_401 = Pattern.compile(" answered 401 to ");

    private final URI coordinator;
    private final CoordinatorHttp http;

    /**
     * A client that sends no token: enough for a coordinator without authentication; one with it
     * answers every request with a {@link NotAuthenticatedException}.
     *
     * @param coordinator the coordinator's base address, e.g. {@code http://127.0.0.1:7700} (a trailing slash is fine)
     */
    public RequestorClient(URI coordinator) {
        this(coordinator, null);
    }

    /**
     * @param coordinator the coordinator's base address, e.g. {@code http://127.0.0.1:7700} (a trailing slash is fine)
     * @param token       the bearer token sent with every request (a login's, or a script's), or null for none
     * @since 2.1
     */
    public RequestorClient(URI coordinator, String token) {
        this.http = new CoordinatorHttp(coordinator, token);
        this.coordinator = http.coordinator();
    }

    /** The coordinator's base address, without a trailing slash. */
    public URI coordinator() {
        return coordinator;
    }

    /** Whether this client sends a token. @since 2.1 */
    public boolean hasToken() {
        return http.token() != null;
    }

    /** The same coordinator with another token (null: none). @since 2.1 */
    public RequestorClient withToken(String token) {
        return new RequestorClient(coordinator, token);
    }

    // ---------------------------------------------------------------- reading

    public List<ProjectView> projects() throws RequestorException {
        return parse(getJson("/api/v1/projects"), PROJECT_LIST, "the project list");
    }

    public ProjectView project(String id) throws RequestorException {
        return parse(getJson(projectPath(id)), ProjectView.class, "project " + id);
    }

    /** Every model version of the project with its figures, oldest first. */
    public List<Progress> versions(String id) throws RequestorException {
        return parse(getJson(projectPath(id) + "/versions"), PROGRESS_LIST, "the versions of project " + id);
    }

    // ---------------------------------------------------------------- actions

    /** Stops handing out the project's tasks; results of running ones still count. */
    public ProjectView pause(String id) throws RequestorException {
        return act(id, "pause");
    }

    public ProjectView resume(String id) throws RequestorException {
        return act(id, "resume");
    }

    /** Stops the project for good; its versions stay downloadable. */
    public ProjectView cancel(String id) throws RequestorException {
        return act(id, "cancel");
    }

    private ProjectView act(String id, String action) throws RequestorException {
        return parse(http.postJson(projectPath(id) + "/" + action, null, 200), ProjectView.class, "project " + id);
    }

    // ---------------------------------------------------------------- submitting

    /**
     * Checks the settings ({@link ProjectChecks#settingsProblems}), uploads the three files as blobs (resuming
     * uploads an earlier attempt left unfinished), then submits the project with their ids.
     *
     * @param settings  the project's settings; its {@code model}, {@code x} and {@code y} are ignored (the uploads' ids replace them)
     * @param progress  told how each upload goes (may be null)
     * @param cancelled asked before each file and between chunks (may be null): when true the
     *                  submission stops with "cancelled; nothing was submitted". Blobs uploaded by
     *                  then stay on the coordinator; a later submission of the same files reuses them.
     * @throws ProjectRefusedException the settings or the files are wrong; nothing was created
     */
    public Submission submit(ProjectSpec settings, Path model, Path x, Path y, UploadProgress progress, BooleanSupplier cancelled)
            throws RequestorException {
        List<Problem> problems = ProjectChecks.settingsProblems(settings);
        if (!problems.isEmpty()) {
            throw new ProjectRefusedException("the check before uploading", problems, RequestorException.NO_ANSWER);
        }
        UploadProgress report = progress == null ? (what, file, sent, total) -> { } : progress;
        BooleanSupplier stop = cancelled == null ? () -> false : cancelled;
        BlobClient blobs = new BlobClient(URI.create(coordinator + "/api/v1/blobs/"), http.client(), http::token);
        String modelId = upload(blobs, "model", model, report, stop);
        String xId = upload(blobs, "x", x, report, stop);
        String yId = upload(blobs, "y", y, report, stop);
        throwIfCancelled(stop);
        ProjectSpec spec = settings.withFiles(modelId, xId, yId);
        HttpRequest request = request("/api/v1/projects").timeout(SUBMIT_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CoordinatorHttp.GSON.toJson(spec), StandardCharsets.UTF_8)).build();
        CoordinatorHttp.Answer answer = http.answer(request);
        if (answer.status() == 422) {
            throw new ProjectRefusedException("the coordinator at " + coordinator, refusals(answer.body()), 422);
        }
        return new Submission(parse(http.expect(answer, 201), ProjectView.class, "the new project"));
    }

    private String upload(BlobClient blobs, String what, Path file, UploadProgress report, BooleanSupplier stop)
            throws RequestorException {
        throwIfCancelled(stop);
        try {
            long total = Files.size(file);
            // BlobClient calls the progress callback on this thread between its requests and lets an
            // unchecked exception from it through: that is where a cancellation stops the upload.
            return blobs.upload(file, sent -> {
                if (stop.getAsBoolean()) {
                    throw new UploadCancelled();
                }
                report.uploaded(what, file, sent, total);
            });
        } catch (UploadCancelled e) {
            throw cancelledException();
        } catch (NoSuchFileException e) {
            throw new RequestorException("the " + what + " file " + file + " does not exist", e);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw http.unreachable(e);
        } catch (IOException e) {
            if (BLOB_401.matcher(String.valueOf(e.getMessage())).find()) {
                throw http.answered(401, null); // the blob plane refused the token: the same as the API refusing it
            }
            throw new RequestorException("uploading the " + what + " file " + file + " failed: " + e.getMessage(), e);
        }
    }

    private static void throwIfCancelled(BooleanSupplier stop) throws RequestorException {
        if (stop.getAsBoolean()) {
            throw cancelledException();
        }
    }

    private static RequestorException cancelledException() {
        return new RequestorException("cancelled; nothing was submitted");
    }

    /** Thrown from the upload's progress callback to stop it; never leaves this class. */
    private static final class UploadCancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UploadCancelled() {
            super(null, null, false, false); // control flow only: no stack trace
        }
    }

    private List<Problem> refusals(String body) {
        try {
            JsonElement problems = JsonParser.parseString(body).getAsJsonObject().get("problems");
            List<Problem> list = problems == null ? null : CoordinatorHttp.GSON.fromJson(problems, PROBLEM_LIST);
            if (list != null && !list.isEmpty()) {
                return list;
            }
        } catch (JsonParseException | IllegalStateException notTheExpectedShape) {
            // worded below
        }
        return List.of(new Problem("project", CoordinatorHttp.errorText(body)));
    }

    // ---------------------------------------------------------------- downloading

    /**
     * Downloads a model version to {@code target}: written to a temporary file beside it, which
     * takes the target's name only when complete, so a broken download never looks like a model.
     *
     * @param version the model version, or null for the newest
     * @param format  {@code model} (the format it was uploaded in), {@code keras} (Keras 3), {@code h5} (Keras 2),
     *                {@code zip} (DL4J) or {@code npy} (the raw parameters)
     * @return the target
     */
    public Path download(String id, Integer version, String format, Path target) throws RequestorException {
        if (!DOWNLOAD_FORMATS.contains(format)) {
            throw new RequestorException("'" + format + "' is not a model format: use model, keras, h5, zip or npy");
        }
        if (version != null && version < 0) {
            throw new RequestorException("there is no version " + version + ": versions count from 0");
        }
        String path = projectPath(id) + "/model?format=" + format + (version == null ? "" : "&version=" + version);
        Path partial = null;
        try {
            Path directory = target.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            partial = Files.createTempFile(directory, ".download", ".part");
            HttpResponse<Path> response = send(request(path).GET().build(), HttpResponse.BodyHandlers.ofFile(partial));
            if (response.statusCode() != 200) {
                throw http.answered(response.statusCode(), errorBody(partial));
            }
            moveIntoPlace(partial, target);
            return target;
        } catch (IOException e) {
            throw new RequestorException("could not write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(partial);
        }
    }

    private static void moveIntoPlace(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file); // gone already after a successful move
            } catch (IOException e) {
                // a stray .part file in the target's folder is all that is left
            }
        }
    }

    // ---------------------------------------------------------------- HTTP

    private HttpRequest.Builder request(String path) {
        return http.request(path);
    }

    private static String projectPath(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a project id is needed");
        }
        // ids come from people typing them: keep them one path segment whatever they contain
        return "/api/v1/projects/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String getJson(String path) throws RequestorException {
        return http.getJson(path);
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws RequestorException {
        return http.send(request, handler);
    }

    private <T> T parse(String json, Type type, String what) throws RequestorException {
        return http.parse(json, type, what);
    }

    /** An error answer saved into the download's file: its first 64 KiB are plenty for the error's words. */
    private static String errorBody(Path partial) throws IOException {
        byte[] head = new byte[64 << 10];
        try (java.io.InputStream in = Files.newInputStream(partial)) {
            int n = in.readNBytes(head, 0, head.length);
            return new String(head, 0, n, StandardCharsets.UTF_8);
        }
    }
}
