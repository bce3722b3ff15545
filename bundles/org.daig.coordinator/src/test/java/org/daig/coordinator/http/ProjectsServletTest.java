package org.daig.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.api.account.Identity;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.daig.coordinator.http.FakeHttp.Answer;
import org.daig.coordinator.service.Fixture;
import org.daig.coordinator.service.ProjectSubmissions;
import org.daig.coordinator.service.ProjectViews;
import org.daig.coordinator.store.AccessStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;

/**
 * Who sees and controls which project over /api/v1/projects: alice owns A, bob owns B. Another's
 * project answers exactly as a missing one, and nothing about it changes.
 */
class ProjectsServletTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private ProjectViews views;
    private ProjectsServlet servlet;
    private final List<String> exported = new ArrayList<>();
    private String a;
    private String b;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        views = new ProjectViews(fx);
        ProjectSubmissions submissions = (spec, submitter) -> {
            ProjectRow row = fx.scheduler.create(spec, submitter.user());
            return new ProjectSubmissions.Submission(views.project(row.id()).orElseThrow(), List.of());
        };
        Path file = Files.writeString(tmp.resolve("model.zip"), "a model");
        servlet = new ProjectsServlet(views, views, submissions, (id, version, format) -> {
            exported.add(id);
            return file;
        });
        a = project("alice");
        b = project("bob");
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static ProjectSpec spec(String name) {
        return new ProjectSpec(name, "a".repeat(64), "b".repeat(64), "c".repeat(64), 1, 8, 2, 2, 2, 0.1, 1, ProjectSpec.KBATCH_SYNC, 7);
    }

    private String project(String owner) throws Exception {
        fx.now.incrementAndGet(); // listed in the order they were made
        ProjectRow row = fx.scheduler.create(spec(owner + "'s"), owner);
        fx.scheduler.prepared(row.id(), 3, 20, 0, null, null, List.of(new ShardRow(0, "d".repeat(64), "e".repeat(64), 10),
                new ShardRow(1, "d".repeat(64), "e".repeat(64), 10)), "f".repeat(64), null);
        return row.id();
    }

    private Answer get(String path, Identity caller) throws Exception {
        return FakeHttp.send(servlet, "GET", "/api/v1/projects", path, caller, null, Map.of());
    }

    private Answer post(String path, Identity caller, String body) throws Exception {
        return FakeHttp.send(servlet, "POST", "/api/v1/projects", path, caller, body, Map.of());
    }

    private List<String> listed(Identity caller) throws Exception {
        Answer answer = get(null, caller);
        assertEquals(200, answer.status, answer.text());
        List<String> ids = new ArrayList<>();
        JsonArray array = JsonParser.parseString(answer.text()).getAsJsonArray();
        array.forEach(p -> ids.add(p.getAsJsonObject().get("id").getAsString()));
        return ids;
    }

    private ProjectState state(String id) throws Exception {
        return views.project(id).map(ProjectView::state).orElseThrow();
    }

    @Test
    void everyoneListsOnlyWhatIsTheirs() throws Exception {
        assertEquals(List.of(a), listed(Fixture.ALICE));
        assertEquals(List.of(b), listed(Fixture.BOB));
        assertEquals(List.of(a, b), listed(Fixture.ADMIN));
        assertEquals(List.of(), listed(Fixture.VOLUNTEER));
        assertEquals(List.of(), listed(Fixture.DEVICE_A));
        assertEquals(List.of(), listed(Fixture.person("carol", org.daig.api.account.Role.REQUESTOR)), "a requestor with no project");
    }

    @Test
    void anotherRequestorsProjectAnswersExactlyLikeAMissingOne() throws Exception {
        String missing = "p000000000000";
        for (String sub : List.of("", "/versions", "/results", "/model", "/whatever")) {
            Answer foreign = get("/" + a + sub, Fixture.BOB);
            Answer absent = get("/" + missing + sub, Fixture.BOB);
            assertEquals(404, foreign.status, sub);
            assertEquals(absent.status, foreign.status, sub);
            assertEquals(absent.text().replace(missing, "ID"), foreign.text().replace(a, "ID"), sub);
            assertTrue(!foreign.text().contains("alice"), foreign.text());
        }
        assertEquals(List.of(), exported, "nothing of A was exported for bob");
        assertEquals(200, get("/" + a + "/model", Fixture.ALICE).status);
        assertEquals(List.of(a), exported);
    }

    @Test
    void anotherRequestorCannotPauseResumeOrCancelAProjectAndNothingChanges() throws Exception {
        for (String action : List.of("pause", "cancel", "resume")) {
            Answer foreign = post("/" + a + "/" + action, Fixture.BOB, null);
            Answer absent = post("/p000000000000/" + action, Fixture.BOB, null);
            assertEquals(404, foreign.status, action);
            assertEquals(absent.text().replace("p000000000000", "ID"), foreign.text().replace(a, "ID"), action);
            assertEquals(ProjectState.RUNNING, state(a), "A after bob's " + action);
        }
        assertEquals(404, post("/" + a + "/cancel", Fixture.DEVICE_A, null).status, "a provider controls no project");
        assertEquals(404, post("/" + a + "/cancel", Fixture.VOLUNTEER, null).status);
        assertEquals(ProjectState.RUNNING, state(a));

        Answer paused = post("/" + a + "/pause", Fixture.ALICE, null);
        assertEquals(200, paused.status, paused.text());
        assertEquals(ProjectState.PAUSED, state(a));
        assertEquals(200, post("/" + b + "/cancel", Fixture.ADMIN, null).status, "an admin controls every project");
        assertEquals(ProjectState.CANCELLED, state(b));
    }

    @Test
    void withoutAnIdentityNothingIsAnsweredAndNothingChanges() throws Exception {
        for (Answer answer : List.of(get(null, null), get("/" + a, null), get("/" + a + "/model", null),
                post("/" + a + "/cancel", null, null), post(null, null, "{}"))) {
            assertEquals(401, answer.status, answer.text());
            assertTrue(answer.headers.get("www-authenticate").startsWith("Bearer"));
            assertTrue(!answer.text().contains(a), answer.text());
        }
        assertEquals(ProjectState.RUNNING, state(a));
        assertEquals(List.of(), exported);
        assertEquals(2, views.projects().size());
    }

    @Test
    void onlyRequestorsAndAdminsSubmitAndTheSubmitterOwnsTheProject() throws Exception {
        String body = Json.GSON.toJson(spec("new"));
        for (Identity caller : List.of(Fixture.DEVICE_A, Fixture.VOLUNTEER)) {
            Answer refused = post(null, caller, body);
            assertEquals(403, refused.status, refused.text());
            assertTrue(refused.text().contains("only requestors submit projects"), refused.text());
        }
        assertEquals(2, views.projects().size(), "nothing was created");

        fx.now.incrementAndGet();
        Answer created = post(null, Fixture.BOB, body);
        assertEquals(201, created.status, created.text());
        String id = JsonParser.parseString(created.text()).getAsJsonObject().get("id").getAsString();
        assertEquals("bob", fx.db.transaction(c -> AccessStore.owner(c, id)).orElseThrow());
        assertEquals(List.of(b, id), listed(Fixture.BOB));
        assertEquals(201, post(null, Fixture.ADMIN, body).status);
    }
}
