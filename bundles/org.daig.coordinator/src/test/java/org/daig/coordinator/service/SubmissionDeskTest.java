package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.api.project.Problem;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.coordinator.store.AccessStore;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Submissions: ProjectChecks' settings rules, the coordinator's strategies and blobs, the worker's data check. */
class SubmissionDeskTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private SubmissionDesk desk;
    private final List<ProjectRow> prepared = new ArrayList<>();
    private String model;
    private String x;
    private String y;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        desk = new SubmissionDesk(fx, prepared::add, fx.trainer, fx.blobs, new Aggregation(new VectorBlobs(fx.blobs, tmp), fx.metrics),
                fx.metrics, new ProjectViews(fx), fx.access());
        model = blob("model");
        x = blob("features");
        y = blob("labels");
        fx.worker.answers.put("check", f -> new WorkerAnswer(Map.of("problems", List.of(), "rows", 240.0), new float[0]));
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private String blob(String content) throws Exception {
        Path f = tmp.resolve(content);
        Files.writeString(f, content);
        return fx.blobs.importFile(f).id();
    }

    private ProjectSpec spec(String name, int epochs, int taskSize, double validationRate, String strategy, String yBlob) {
        return new ProjectSpec(name, model, x, yBlob, epochs, 8, 6, taskSize, 3, validationRate, 1, strategy, 42);
    }

    private List<ProjectRow> stored() throws Exception {
        return fx.db.transaction(ProjectStore::projects);
    }

    @Test
    void anUnknownCompressionARobustRuleOnAnAsynchronousStrategyAndABadStalenessAreRefusedByField() throws Exception {
        ProjectSpec s = spec("async", 1, 2, 0.1, "async-apply/median", "0".repeat(64));
        ProjectSubmissions.Submission answer = desk.submit(new ProjectSpec(s.name(), s.model(), s.x(), s.y(), 1, 8, 6, 2, 3, 0.1, 1,
                s.strategy(), 42, null, null, null, "gzip", -1), Fixture.ADMIN);
        Map<String, String> byField = new java.util.LinkedHashMap<>();
        answer.problems().forEach(p -> byField.put(p.field(), p.message()));
        assertTrue(byField.get("strategy").contains("take no robust rule"), byField.toString());
        assertTrue(byField.get("compression").contains("unknown compression 'gzip'"), byField.toString());
        assertTrue(byField.get("maxStaleness").contains("from 0 to 1000"), byField.toString());
        assertEquals(List.of(), stored(), "nothing was created");
    }

    @Test
    void badSettingsAreRefusedWithEveryProblemInProjectChecksWordsAndNothingIsCreated() throws Exception {
        ProjectSubmissions.Submission answer = desk.submit(spec("", 0, 9, 1.5, "magic", "0".repeat(64)), Fixture.ADMIN);
        assertNull(answer.project());
        Map<String, String> byField = new java.util.LinkedHashMap<>();
        answer.problems().forEach(p -> byField.put(p.field(), p.message()));
        assertEquals(List.of("name", "epochs", "taskSize", "validationRate", "strategy", "y"), List.copyOf(byField.keySet()));
        assertEquals("must not be empty", byField.get("name"));
        assertEquals("must be at least 1", byField.get("epochs"));
        assertEquals("must be between 1 and the number of tasks (6)", byField.get("taskSize"));
        assertEquals("must be a fraction from 0 to 0.9", byField.get("validationRate"));
        assertEquals("'magic' is not available; choose one of [" + ProjectSpec.KBATCH_SYNC + ", async-apply, async-queue, async-lockfree], "
                + "optionally with a robust rule, e.g. kbatch-sync/median", byField.get("strategy"));
        assertTrue(byField.get("y").contains("is not on the coordinator: upload it first"), byField.get("y"));
        assertTrue(fx.worker.calls.isEmpty(), "the data is not checked while a file is missing");
        assertTrue(stored().isEmpty());
        assertEquals(1, fx.metrics.submissionsRefused());
    }

    @Test
    void aRobustRuleIsCheckedWithTheStrategy() throws Exception {
        ProjectSubmissions.Submission answer = desk.submit(spec("digits", 2, 3, 0.1, "kbatch-sync/krum", y), Fixture.ADMIN);
        assertEquals(List.of(new Problem("strategy", "krum needs f=... (e.g. krum:f=1)")), answer.problems());
        assertTrue(stored().isEmpty());
    }

    @Test
    void theWorkersDataProblemsNameTheFieldAndHideTheBlobPaths() throws Exception {
        Path labels = fx.blobs.file(y);
        fx.worker.answers.put("check", f -> new WorkerAnswer(Map.of("problems",
                List.of("label 3 in " + labels + " is 3 but the model has 3 classes"), "rows", 240.0), new float[0]));
        ProjectSubmissions.Submission answer = desk.submit(spec("digits", 2, 3, 0.1, ProjectSpec.KBATCH_SYNC, y), Fixture.ADMIN);
        assertEquals(1, answer.problems().size(), answer.problems().toString());
        Problem problem = answer.problems().get(0);
        assertEquals("y", problem.field());
        assertEquals("label 3 in y is 3 but the model has 3 classes", problem.message());
        assertFalse(problem.message().contains(tmp.toString()), "no coordinator path reaches the requestor");
        assertTrue(stored().isEmpty());
    }

    @Test
    void tooFewTrainingRowsForTheTasksIsAProblemOfTotalTasks() throws Exception {
        fx.worker.answers.put("check", f -> new WorkerAnswer(Map.of("problems", List.of(), "rows", 5.0), new float[0]));
        List<Problem> problems = desk.submit(spec("digits", 2, 3, 0.1, ProjectSpec.KBATCH_SYNC, y), Fixture.ADMIN).problems();
        assertEquals(List.of("totalTasks"), problems.stream().map(Problem::field).toList());
        assertTrue(problems.get(0).message().contains("use at most 5 tasks"), problems.get(0).message());
    }

    @Test
    void blobsTheSubmitterMayNotReadAreMissingForItAndNothingIsCreated() throws Exception {
        for (String blob : List.of(model, x, y)) {
            fx.access().uploaded(Fixture.ALICE, blob, 10);
        }
        ProjectSubmissions.Submission bobs = desk.submit(spec("digits", 2, 3, 0.1, ProjectSpec.KBATCH_SYNC, y), Fixture.BOB);
        assertNull(bobs.project());
        assertEquals(List.of("model", "x", "y"), bobs.problems().stream().map(Problem::field).toList());
        assertEquals("blob " + x + " is not on the coordinator: upload it first", bobs.problems().get(1).message(),
                "the same words as for a blob that is not there at all");
        assertTrue(stored().isEmpty());
        assertTrue(fx.worker.calls.isEmpty(), "bob's submission never reaches alice's data");

        ProjectSubmissions.Submission alices = desk.submit(spec("digits", 2, 3, 0.1, ProjectSpec.KBATCH_SYNC, y), Fixture.ALICE);
        assertEquals(List.of(), alices.problems());
        assertEquals("alice", fx.db.transaction(c -> AccessStore.owner(c, alices.project().id())).orElseThrow());
    }

    @Test
    void aSoundProjectIsCreatedAndHandedToPreparation() throws Exception {
        ProjectSubmissions.Submission answer = desk.submit(spec("digits", 2, 3, 0.1, ProjectSpec.KBATCH_SYNC, y), Fixture.ADMIN);
        assertEquals(List.of(), answer.problems());
        assertEquals(ProjectState.PREPARING, answer.project().state());
        assertEquals(List.of("check"), fx.worker.calls);
        assertEquals(1, prepared.size());
        assertEquals(answer.project().id(), prepared.get(0).id());
        assertEquals(List.of(answer.project().id()), stored().stream().map(ProjectRow::id).toList());
        assertEquals(0, fx.metrics.submissionsRefused());
    }
}
