package org.daig.requestor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Experts projects on a coordinator (docs/experts.md, "Experts projects on the grid"): a requestor
 * creates one, reads its settings (with the token its trainers need), hands in the trainer's file and
 * downloads the whole model; a provider (device token) takes a group of cells to host, renews it with
 * checkpoints and gives it back. Since 2.4.
 */
public final class ExpertsClient {

    /** What a requestor asks for; null fields take the coordinator's defaults. */
    public record Settings(String name, String prefix, String grid, int width, int hidden, int hosts, String optimizer, Double learningRate,
            Long seed, Integer k, Integer kMin) {
    }

    /** One group of cells and who hosts it. */
    public record Group(int group, String firstCell, String lastCell, long cells, String host, boolean hosted, Long checkpointAt) {
    }

    /** A project: its settings, the token trainers need (owner and admins only), the DHT's first peer, the relay, its groups. */
    public record Project(String id, String name, String owner, String state, Settings spec, String token, String bootstrap, String relay,
            List<Group> groups, Long trainerAt, long createdAt) {
    }

    /** What a provider hosts until it stops renewing. */
    public record Hosting(String project, int group, List<String> cells, int width, int hidden, String optimizer, double learningRate,
            long seed, String token, String checkpoint, long checkpointParameters, long leaseSeconds, long checkpointSeconds,
            String bootstrap, String relay) {
    }

    private static final String PATH = "/api/v1/experts";
    private final CoordinatorHttp http;

    /** @param token a requestor's session, or a device token for the hosting calls */
    public ExpertsClient(URI coordinator, String token) {
        this.http = new CoordinatorHttp(coordinator, token);
    }

    public URI coordinator() {
        return http.coordinator();
    }

    public Project create(Settings settings) throws RequestorException {
        return parse(http.postJson(PATH, settings, 201), Project.class);
    }

    public List<Project> list() throws RequestorException {
        return List.of(parse(http.getJson(PATH), Project[].class));
    }

    public Project get(String id) throws RequestorException {
        return parse(http.getJson(path(id)), Project.class);
    }

    public Project cancel(String id) throws RequestorException {
        return parse(http.postJson(path(id) + "/cancel", null, 200), Project.class);
    }

    /** Hands in the trainer's whole-model file, uploaded before as blob {@code blob}. */
    public Project setTrainer(String id, String blob) throws RequestorException {
        return parse(http.postJson(path(id) + "/trainer", Map.of("blob", blob), 200), Project.class);
    }

    /** Uploads the trainer's whole-model file (a blob) and hands it in: the project's download takes its layers and gate. */
    public Project uploadTrainer(String id, Path modelFile) throws RequestorException {
        String blob;
        try {
            blob = new org.daig.blob.client.BlobClient(URI.create(http.coordinator() + "/api/v1/blobs/"), http::token).upload(modelFile, n -> { });
        } catch (IOException e) {
            throw new RequestorException("uploading " + modelFile + " failed: " + CoordinatorHttp.describe(e), e);
        }
        return setTrainer(id, blob);
    }

    /** Downloads the whole model to {@code target} (written aside and renamed, so a broken download never looks like a model). */
    public Path download(String id, Path target) throws RequestorException {
        HttpRequest request = http.request(path(id) + "/model").GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        Path absolute = target.toAbsolutePath();
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw http.answered(response.statusCode(), new String(in.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.UTF_8));
            }
            Files.createDirectories(absolute.getParent());
            Path partial = Files.createTempFile(absolute.getParent(), ".download", ".part");
            try {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
            return absolute;
        } catch (IOException e) {
            throw new RequestorException("downloading the model of experts project " + id + " failed: " + CoordinatorHttp.describe(e), e);
        }
    }

    // ---------------------------------------------------------------- providers

    /** A group to host, or empty when no project needs a host now. */
    public Optional<Hosting> lease() throws RequestorException {
        HttpRequest request = http.request(PATH + "/hosting").timeout(CoordinatorHttp.ANSWER_TIMEOUT).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        CoordinatorHttp.Answer answer = http.answer(request);
        return answer.status() == 204 ? Optional.empty() : Optional.of(parse(http.expect(answer, 200), Hosting.class));
    }

    /**
     * Still hosting, with the newest checkpoint (a blob uploaded before) or none.
     *
     * @throws RequestorException with status 409 when the group is not this provider's any more: stop hosting it
     */
    public void renew(String project, int group, String checkpoint) throws RequestorException {
        http.postJson(PATH + "/hosting/" + segment(project) + "/" + group, checkpoint == null ? Map.of() : Map.of("checkpoint", checkpoint), 200);
    }

    public void release(String project, int group) throws RequestorException {
        HttpRequest request = http.request(PATH + "/hosting/" + segment(project) + "/" + group).timeout(CoordinatorHttp.ANSWER_TIMEOUT)
                .DELETE().build();
        http.expect(http.answer(request), 204);
    }

    private static String path(String id) {
        return PATH + "/" + segment(id);
    }

    private static String segment(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("an experts project id is letters, digits, _ and -, not '" + id + "'");
        }
        return id;
    }

    private <T> T parse(String body, Class<T> type) throws RequestorException {
        try {
            T value = CoordinatorHttp.GSON.fromJson(body, type);
            if (value == null) {
                throw new RequestorException("the coordinator at " + http.coordinator() + " sent an empty answer");
            }
            return value;
        } catch (com.google.gson.JsonParseException e) {
            throw new RequestorException("the coordinator at " + http.coordinator() + " sent an answer that is not an experts project's: "
                    + e.getMessage(), e);
        }
    }
}
