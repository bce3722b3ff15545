package org.daig.requestor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import org.daig.api.project.Problem;
import org.daig.api.project.Progress;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

class RequestorClientTest {

    private static final String SPEC_JSON = "{\"name\": \"mlp\", \"model\": \"m\", \"x\": \"x\", \"y\": \"y\", \"epochs\": 2, \"batchSize\": 16,"
            + " \"totalTasks\": 6, \"taskSize\": 3, \"maxContributors\": 3, \"validationRate\": 0.1, \"passes\": 1,"
            + " \"strategy\": \"kbatch-sync\", \"seed\": 1}";
    private static final String PROGRESS_JSON = "{\"projectId\": \"p-1\", \"round\": 1, \"version\": 2, \"totalRounds\": 4, \"loss\": null,"
            + " \"accuracy\": null, \"trainLoss\": 0.5, \"contributors\": 2, \"samplesPerSecond\": 100.0, \"etaSeconds\": 30.0, \"at\": 1}";
    private static final String VIEW_JSON = "{\"id\": \"p-1\", \"spec\": " + SPEC_JSON + ", \"state\": \"RUNNING\", \"message\": null,"
            + " \"params\": 99, \"trainRows\": 216, \"validationRows\": 24, \"round\": 2, \"totalRounds\": 4, \"version\": 2,"
            + " \"contributors\": 2, \"latest\": " + PROGRESS_JSON + ", \"etaSeconds\": null, \"createdAt\": 5}";

    @TempDir
    Path dir;
    private FakeCoordinator coordinator;
    private RequestorClient client;

    @BeforeEach
    void start() throws IOException {
        coordinator = new FakeCoordinator();
        client = new RequestorClient(coordinator.base());
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private static ProjectSpec settings(int epochs, int totalTasks, int taskSize) {
        return new ProjectSpec("mlp", null, null, null, epochs, 16, totalTasks, taskSize, 3, 0.1, 1, null, 1);
    }

    private Path file(String name, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    // ---------------------------------------------------------------- reading

    @Test
    void theProjectListIsParsedWithNullReadAsNaN() throws Exception {
        coordinator.answer("GET /api/v1/projects", 200, "[" + VIEW_JSON + "]");

        List<ProjectView> projects = client.projects();

        assertEquals(1, projects.size());
        ProjectView p = projects.get(0);
        assertEquals("p-1", p.id());
        assertEquals(ProjectState.RUNNING, p.state());
        assertEquals(6, p.spec().totalTasks());
        assertEquals(0.1, p.spec().validationRate());
        assertNull(p.message());
        assertTrue(Double.isNaN(p.latest().loss()), "null loss means not measured yet");
        assertTrue(Double.isNaN(p.latest().accuracy()));
        assertEquals(0.5, p.latest().trainLoss());
        assertTrue(Double.isNaN(p.etaSeconds()));
    }

    @Test
    void oneProjectAndItsVersionsAreParsed() throws Exception {
        coordinator.answer("GET /api/v1/projects/p-1", 200, VIEW_JSON)
                .answer("GET /api/v1/projects/p-1/versions", 200, "[" + PROGRESS_JSON.replace("\"loss\": null", "\"loss\": 0.25") + "]");

        assertEquals(216, client.project("p-1").trainRows());
        List<Progress> versions = client.versions("p-1");
        assertEquals(1, versions.size());
        assertEquals(0.25, versions.get(0).loss());
        assertEquals(2, versions.get(0).version());
    }

    @Test
    void aTrailingSlashInTheAddressIsTolerated() throws Exception {
        RequestorClient slashed = new RequestorClient(URI.create(coordinator.base() + "/"));
        coordinator.answer("GET /api/v1/projects", 200, "[]");

        assertEquals(coordinator.base(), slashed.coordinator());
        assertEquals(List.of(), slashed.projects());
        assertEquals(List.of("GET /api/v1/projects"), coordinator.requests());
    }

    @Test
    void anAddressThatIsNotHttpIsRefusedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RequestorClient(URI.create("localhost:7700")));
        assertTrue(e.getMessage().contains("http://host:7700"), e.getMessage());
    }

    @Test
    void pauseResumeAndCancelPostTheActionAndReturnTheNewView() throws Exception {
        coordinator.answer("POST /api/v1/projects/p-1/pause", 200, VIEW_JSON.replace("RUNNING", "PAUSED"))
                .answer("POST /api/v1/projects/p-1/resume", 200, VIEW_JSON)
                .answer("POST /api/v1/projects/p-1/cancel", 409, "{\"error\": \"project p-1 is completed already\"}");

        assertEquals(ProjectState.PAUSED, client.pause("p-1").state());
        assertEquals(ProjectState.RUNNING, client.resume("p-1").state());
        RequestorException e = assertThrows(RequestorException.class, () -> client.cancel("p-1"));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().endsWith("answered 409: project p-1 is completed already"), e.getMessage());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void aNotFoundShowsTheServersErrorText() {
        coordinator.answer("GET /api/v1/projects/p-9", 404, "{\"error\": \"no project p-9\"}");

        RequestorException e = assertThrows(RequestorException.class, () -> client.project("p-9"));

        assertEquals("the coordinator at " + coordinator.base() + " answered 404: no project p-9", e.getMessage());
        assertEquals(404, e.status());
        assertFalse(e.unreachable());
    }

    @Test
    void anErrorWithoutJsonShowsTheBodyItself() {
        coordinator.answer("GET /api/v1/projects", 502, "Bad Gateway");

        RequestorException e = assertThrows(RequestorException.class, () -> client.projects());

        assertTrue(e.getMessage().endsWith("answered 502: Bad Gateway"), e.getMessage());
    }

    @Test
    void aRefusedConnectionSaysTheCoordinatorCannotBeReached() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort(); // free again once closed: nothing listens there
        }
        RequestorClient nowhere = new RequestorClient(URI.create("http://127.0.0.1:" + closedPort));

        RequestorException e = assertThrows(RequestorException.class, nowhere::projects);

        assertEquals("cannot reach the coordinator at http://127.0.0.1:" + closedPort + " (is it running?)", e.getMessage());
        assertTrue(e.unreachable());
        assertEquals(RequestorException.NO_ANSWER, e.status());
    }

    @Test
    void anAnswerThatIsNotAProjectIsReportedAsNotUnderstood() {
        coordinator.answer("GET /api/v1/projects/p-1", 200, "<html>hello</html>");

        RequestorException e = assertThrows(RequestorException.class, () -> client.project("p-1"));

        assertTrue(e.getMessage().contains("does not understand"), e.getMessage());
    }

    @Test
    void anIdIsSentAsOnePathSegment() {
        assertThrows(RequestorException.class, () -> client.project("a/b c"));

        assertEquals(List.of("GET /api/v1/projects/a%2Fb%20c"), coordinator.requests());
    }

    // ---------------------------------------------------------------- submitting

    @Test
    void submitUploadsTheThreeFilesThenPostsTheSpecWithTheirIds() throws Exception {
        Path model = file("model.h5", 5000, 1);
        Path x = file("x.npy", 7000, 2);
        Path y = file("y.npy", 300, 3);
        coordinator.answer("POST /api/v1/projects", 201, VIEW_JSON);
        List<String> progress = new ArrayList<>();

        ProjectSpec s = settings(2, 6, 3);
        ProjectSpec settings = new ProjectSpec(s.name(), null, null, null, 2, 16, 6, 3, 3, 0.1, 1, null, 1, "mse", "sgd", 0.01, "int8", 4);
        RequestorClient.Submission submission = client.submit(settings, model, x, y,
                (what, file, sent, total) -> progress.add(what + " " + file.getFileName() + " " + sent + "/" + total), () -> false);

        assertEquals("p-1", submission.project().id());
        String modelId = FakeCoordinator.sha256(Files.readAllBytes(model));
        String xId = FakeCoordinator.sha256(Files.readAllBytes(x));
        String yId = FakeCoordinator.sha256(Files.readAllBytes(y));
        assertArrayEquals(Files.readAllBytes(model), coordinator.blobs.get(modelId));
        assertArrayEquals(Files.readAllBytes(x), coordinator.blobs.get(xId));
        assertArrayEquals(Files.readAllBytes(y), coordinator.blobs.get(yId));
        List<String> requests = coordinator.requests();
        assertEquals("POST /api/v1/projects", requests.get(requests.size() - 1), "the project is posted after every upload: " + requests);
        assertEquals(List.of("model model.h5 0/5000", "model model.h5 5000/5000", "x x.npy 0/7000", "x x.npy 7000/7000", "y y.npy 0/300",
                "y y.npy 300/300"), progress);
        JsonObject posted = JsonParser.parseString(coordinator.bodies.get("POST /api/v1/projects")).getAsJsonObject();
        assertEquals(modelId, posted.get("model").getAsString());
        assertEquals(xId, posted.get("x").getAsString());
        assertEquals(yId, posted.get("y").getAsString());
        assertEquals(3, posted.get("taskSize").getAsInt());
        assertEquals(0.1, posted.get("validationRate").getAsDouble());
        assertTrue(posted.has("strategy") && posted.get("strategy").isJsonNull(), "nulls are sent: the coordinator applies the default");
        // every setting reaches the coordinator (compression and staleness were once dropped here)
        assertEquals("int8", posted.get("compression").getAsString());
        assertEquals(4, posted.get("maxStaleness").getAsInt());
        assertEquals("sgd", posted.get("optimizer").getAsString());
        assertEquals(0.01, posted.get("learningRate").getAsDouble());
    }

    @Test
    void aFileTheCoordinatorHasAlreadyIsNotSentAgain() throws Exception {
        Path model = file("model.h5", 100, 1);
        coordinator.blobs.put(FakeCoordinator.sha256(Files.readAllBytes(model)), Files.readAllBytes(model));
        coordinator.answer("POST /api/v1/projects", 201, VIEW_JSON);

        client.submit(settings(1, 1, 1), model, model, model, null, null);

        assertFalse(coordinator.requests().stream().anyMatch(r -> r.startsWith("PUT")), coordinator.requests().toString());
    }

    @Test
    void aRefusalListsTheCoordinatorsProblems() throws Exception {
        Path file = file("f", 10, 1);
        coordinator.answer("POST /api/v1/projects", 422,
                "{\"problems\": [{\"field\": \"y\", \"message\": \"label 3 is 3 but the model has 3 classes\"},"
                + " {\"field\": \"totalTasks\", \"message\": \"is 6 but only 4 rows are left for training\"}]}");

        ProjectRefusedException e = assertThrows(ProjectRefusedException.class, () -> client.submit(settings(1, 6, 3), file, file, file, null, null));

        assertEquals(List.of(new Problem("y", "label 3 is 3 but the model has 3 classes"),
                new Problem("totalTasks", "is 6 but only 4 rows are left for training")), e.problems());
        assertEquals(422, e.status());
        assertTrue(e.getMessage().contains("refused the project: y: label 3"), e.getMessage());
    }

    @Test
    void wrongSettingsAreRefusedBeforeAnythingIsUploaded() throws Exception {
        Path file = file("f", 10, 1);

        ProjectRefusedException e = assertThrows(ProjectRefusedException.class,
                () -> client.submit(settings(0, 6, 9), file, file, file, null, null));

        assertEquals(List.of("epochs", "taskSize"), e.problems().stream().map(Problem::field).toList());
        assertEquals(RequestorException.NO_ANSWER, e.status());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void cancellingBeforeTheUploadSendsNothing() throws Exception {
        Path file = file("f", 10, 1);

        RequestorException e = assertThrows(RequestorException.class,
                () -> client.submit(settings(1, 6, 3), file, file, file, null, () -> true));

        assertEquals("cancelled; nothing was submitted", e.getMessage());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void cancellingDuringTheUploadsStopsThemAndPostsNothing() throws Exception {
        Path model = file("model.h5", 1000, 1);
        Path x = file("x.npy", 1000, 2);
        AtomicBoolean cancelled = new AtomicBoolean();
        coordinator.answer("POST /api/v1/projects", 201, VIEW_JSON);

        RequestorException e = assertThrows(RequestorException.class, () -> client.submit(settings(1, 6, 3), model, x, x,
                (what, file, sent, total) -> cancelled.set(sent == total), cancelled::get));

        assertEquals("cancelled; nothing was submitted", e.getMessage());
        assertTrue(coordinator.blobs.containsKey(FakeCoordinator.sha256(Files.readAllBytes(model))), "the model went up before the cancel");
        assertFalse(coordinator.blobs.containsKey(FakeCoordinator.sha256(Files.readAllBytes(x))));
        assertFalse(coordinator.requests().contains("POST /api/v1/projects"), coordinator.requests().toString());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("missing.h5");

        RequestorException e = assertThrows(RequestorException.class,
                () -> client.submit(settings(1, 6, 3), missing, missing, missing, null, null));

        assertEquals("the model file " + missing + " does not exist", e.getMessage());
    }

    // ---------------------------------------------------------------- downloading

    @Test
    void aDownloadWritesTheModelUnderItsName() throws Exception {
        coordinator.answer("GET /api/v1/projects/p-1/model?format=h5&version=3", 200, "HDF model bytes");
        Path target = dir.resolve("out/p-1.h5");

        assertEquals(target, client.download("p-1", 3, "h5", target));

        assertEquals("HDF model bytes", Files.readString(target));
        assertEquals(List.of("p-1.h5"), names(target.getParent()), "no partial file is left");
    }

    @Test
    void aFailedDownloadLeavesNoFile() throws Exception {
        coordinator.answer("GET /api/v1/projects/p-1/model?format=npy", 404, "{\"error\": \"project p-1 has no version yet\"}");
        Path target = dir.resolve("p-1.npy");

        RequestorException e = assertThrows(RequestorException.class, () -> client.download("p-1", null, "npy", target));

        assertTrue(e.getMessage().endsWith("answered 404: project p-1 has no version yet"), e.getMessage());
        assertEquals(List.of(), names(dir));
    }

    @Test
    void anUnknownFormatIsRefusedWithoutAsking() {
        RequestorException e = assertThrows(RequestorException.class, () -> client.download("p-1", null, "onnx", dir.resolve("m")));

        assertEquals("'onnx' is not a model format: use model, keras, h5, zip or npy", e.getMessage());
        assertEquals(List.of(), coordinator.requests());
    }

    private static List<String> names(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
