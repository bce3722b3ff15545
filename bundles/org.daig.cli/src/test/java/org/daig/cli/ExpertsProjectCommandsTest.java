package org.daig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.daig.requestor.SavedLogin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** daig experts create|status|download|cancel against a stub coordinator: the requests docs/experts.md names, with the session's token. */
class ExpertsProjectCommandsTest {

    private static final String TOKEN = SessionCommandsTest.TOKEN;
    private static final String PROJECT = "{\"id\": \"x0011223344556677\", \"name\": \"moe\", \"owner\": \"alice\", \"state\": \"RUNNING\","
            + " \"spec\": {\"name\": \"moe\", \"prefix\": \"ffn\", \"grid\": \"4x4\", \"width\": 128, \"hidden\": 64, \"hosts\": 2,"
            + " \"optimizer\": \"momentum\", \"learningRate\": 0.05, \"seed\": 1, \"k\": 4, \"kMin\": 2}, \"token\": \"secret-token-abc\","
            + " \"bootstrap\": \"grid:40001\", \"relay\": null, \"groups\": [{\"group\": 0, \"firstCell\": \"ffn.0.0\", \"lastCell\": \"ffn.1.3\","
            + " \"cells\": 8, \"host\": \"prov-a\", \"hosted\": true, \"checkpointAt\": 1700000000000}, {\"group\": 1, \"firstCell\": \"ffn.2.0\","
            + " \"lastCell\": \"ffn.3.3\", \"cells\": 8, \"host\": null, \"hosted\": false, \"checkpointAt\": null}], \"trainerAt\": null,"
            + " \"createdAt\": 1700000000000}";

    @TempDir
    Path tmp;
    private FakeCoordinator coordinator;
    private Map<String, String> env;

    @BeforeEach
    void start() throws Exception {
        coordinator = new FakeCoordinator().requireToken(TOKEN);
        env = Map.of("XDG_CONFIG_HOME", tmp.resolve("config").toString());
        new SavedLogin(coordinator.url(), "alice", TOKEN, "t1", 4102444800000L).write(tmp.resolve("config/daig/credentials.json"));
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private Run run(String... args) {
        return Run.with(env, null, args);
    }

    @Test
    void createSendsTheSettingsAndSaysWhatComesNext() {
        coordinator.answer("POST /api/v1/experts", 201, PROJECT);
        Run run = run("experts", "create", "--name", "moe", "--grid", "4x4", "--width", "128", "--hidden", "64", "--hosts", "2");
        assertEquals(0, run.status, run.toString());
        assertTrue(run.out().startsWith("x0011223344556677  RUNNING  moe  grid ffn 4x4, experts 128 -> 64 -> 128, 2 groups"), run.toString());
        assertTrue(run.out().contains("daig experts train --project x0011223344556677"), run.toString());
        String sent = coordinator.last("POST /api/v1/experts").body();
        assertTrue(sent.contains("\"grid\":\"4x4\"") && sent.contains("\"width\":128") && sent.contains("\"hosts\":2"), sent);
        assertEquals("Bearer " + TOKEN, coordinator.last("POST /api/v1/experts").authorization());
        assertFalse(run.out().contains("secret-token-abc"), "the project's token is not printed");
    }

    @Test
    void statusShowsEachGroupWithItsHostAndCheckpoint() {
        coordinator.answer("GET /api/v1/experts/x0011223344556677", 200, PROJECT);
        Run run = run("experts", "status", "x0011223344556677");
        assertEquals(0, run.status, run.toString());
        assertTrue(run.out().contains("group 0  ffn.0.0..ffn.1.3 (8 cells)  hosted by prov-a"), run.toString());
        assertTrue(run.out().contains("group 1  ffn.2.0..ffn.3.3 (8 cells)  waiting for a host  checkpoint none yet"), run.toString());
        assertTrue(run.out().contains("DHT: grid:40001"), run.toString());
    }

    @Test
    void downloadWritesTheModelAndAnotherAccountsProjectIsNotFound() throws Exception {
        coordinator.answer("GET /api/v1/experts/x0011223344556677/model", 200, "PK-the-model-bytes");
        Path out = tmp.resolve("models/model.zip");
        Run run = run("experts", "download", "x0011223344556677", "--out", out.toString());
        assertEquals(0, run.status, run.toString());
        assertEquals("PK-the-model-bytes", Files.readString(out));

        coordinator.answer("GET /api/v1/experts/x9999999999999999/model", 404, "{\"error\": \"no experts project x9999999999999999 of yours\"}");
        Path missing = tmp.resolve("missing.zip");
        Run notFound = run("experts", "download", "x9999999999999999", "--out", missing.toString());
        assertEquals(1, notFound.status, notFound.toString());
        assertTrue(notFound.err().contains("no experts project x9999999999999999 of yours"), notFound.toString());
        assertFalse(Files.exists(missing), "no file for a failed download");
    }

    @Test
    void trainNeedsAProjectOrABootstrap() {
        Run run = run("experts", "train", "--x", "x.npy", "--y", "y.npy");
        assertEquals(Daig.USAGE, run.status, run.toString());
        assertTrue(run.err().contains("give --project ID (a grid project) or --bootstrap HOST:PORT"), run.toString());
        assertEquals(List.of(), coordinator.requests());
    }
}
