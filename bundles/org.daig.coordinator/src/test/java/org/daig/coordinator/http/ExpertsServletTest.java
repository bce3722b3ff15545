package org.daig.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.daig.api.account.Identity;
import org.daig.coordinator.experts.ExpertsDesk;
import org.daig.coordinator.experts.ExpertsSettings;
import org.daig.coordinator.http.FakeHttp.Answer;
import org.daig.coordinator.service.Fixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** The experts projects' HTTP surface for each kind of caller: anonymous, volunteer, device, requestor, another requestor. */
class ExpertsServletTest {

    private static final String SPEC = "{\"name\": \"moe\", \"prefix\": \"ffn\", \"grid\": \"2x2\", \"width\": 4, \"hidden\": 8, \"hosts\": 2}";

    @TempDir
    Path tmp;
    private Fixture fx;
    private ExpertsDesk desk;
    private ExpertsServlet servlet;

    @BeforeEach
    void open() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        desk = new ExpertsDesk(fx, fx.blobs, ExpertsSettings.of(120, "grid.example", 7702), fx.now::get);
        servlet = new ExpertsServlet(desk);
    }

    @AfterEach
    void close() {
        desk.close();
        fx.close();
    }

    private Answer send(String method, String path, Identity caller, String body) throws Exception {
        return FakeHttp.send(servlet, method, "/api/v1/experts", path, caller, body, Map.of());
    }

    @Test
    void aRequestorCreatesAndReadsTheirProjectAndNobodyElseDoes() throws Exception {
        assertEquals(401, send("POST", null, null, SPEC).status);
        assertEquals(403, send("POST", null, Fixture.VOLUNTEER, SPEC).status);
        assertEquals(403, send("POST", null, Fixture.DEVICE_A, SPEC).status);
        Answer bad = send("POST", null, Fixture.ALICE, "{\"name\": \"m\", \"grid\": \"4x4\"}");
        assertEquals(422, bad.status, bad.text());
        assertTrue(bad.text().contains("grid: set prefix") && bad.text().contains("width:"), bad.text());
        assertEquals(400, send("POST", null, Fixture.ALICE, "not json").status);

        Answer created = send("POST", null, Fixture.ALICE, SPEC);
        assertEquals(201, created.status, created.text());
        JsonObject p = JsonParser.parseString(created.text()).getAsJsonObject();
        String id = p.get("id").getAsString();
        assertTrue(p.get("bootstrap").getAsString().startsWith("grid.example:"), "the advertised host: " + p);
        assertEquals("grid.example:7702", p.get("relay").getAsString());

        Answer own = send("GET", "/" + id, Fixture.ALICE, null);
        assertEquals(200, own.status);
        assertEquals(p.get("token"), JsonParser.parseString(own.text()).getAsJsonObject().get("token"), "the owner reads the token");
        String list = send("GET", null, Fixture.ALICE, null).text();
        assertTrue(list.contains(id) && !list.contains(p.get("token").getAsString()), "a list names projects without their tokens: " + list);
        assertEquals(404, send("GET", "/" + id, Fixture.BOB, null).status, "another requestor's project is not there for him");
        assertEquals(404, send("GET", "/" + id + "/model", Fixture.BOB, null).status);
        assertEquals(404, send("POST", "/" + id + "/cancel", Fixture.BOB, null).status);
        assertEquals(200, send("GET", "/" + id, Fixture.ADMIN, null).status, "an admin sees every project");
        assertEquals("[]", send("GET", null, Fixture.BOB, null).text().replaceAll("\\s", ""));
        Answer noTrainer = send("GET", "/" + id + "/model", Fixture.ALICE, null);
        assertEquals(409, noTrainer.status);
        assertTrue(noTrainer.text().contains("daig experts train --project " + id), noTrainer.text());
    }

    @Test
    void onlyDevicesHostAndALeaseIsTheirsAlone() throws Exception {
        String id = JsonParser.parseString(send("POST", null, Fixture.ALICE, SPEC).text()).getAsJsonObject().get("id").getAsString();
        assertEquals(403, send("POST", "/hosting", Fixture.ALICE, null).status);
        assertEquals(403, send("POST", "/hosting", Fixture.VOLUNTEER, null).status);
        Answer a = send("POST", "/hosting", Fixture.DEVICE_A, null);
        assertEquals(200, a.status, a.text());
        JsonObject task = JsonParser.parseString(a.text()).getAsJsonObject();
        assertEquals(id, task.get("project").getAsString());
        assertEquals("grid.example:7702", task.get("relay").getAsString(), "hosts serve through the relay");
        assertEquals(200, send("POST", "/hosting", Fixture.DEVICE_B, null).status);
        assertEquals(204, send("POST", "/hosting", Fixture.device("carl", "prov-c"), null).status, "both groups have hosts");

        int group = task.get("group").getAsInt();
        assertEquals(200, send("POST", "/hosting/" + id + "/" + group, Fixture.DEVICE_A, "{}").status);
        assertEquals(409, send("POST", "/hosting/" + id + "/" + group, Fixture.DEVICE_B, "{}").status, "not B's group");
        assertEquals(409, send("DELETE", "/hosting/" + id + "/" + group, Fixture.DEVICE_B, null).status);
        assertEquals(404, send("POST", "/hosting/" + id + "/x", Fixture.DEVICE_A, "{}").status);
        String before = send("GET", "/" + id, Fixture.ALICE, null).text();
        for (String hostile : new String[] { "{\"checkpoint\": {}}", "{\"checkpoint\": [1, 2]}", "[]", "{\"checkpoint\": 7}" }) {
            Answer refused = send("POST", "/hosting/" + id + "/" + group, Fixture.DEVICE_A, hostile);
            assertTrue(refused.status == 400 || refused.status == 422, hostile + " answered " + refused.status + ": " + refused.text());
        }
        assertEquals(before, send("GET", "/" + id, Fixture.ALICE, null).text(), "a refused renewal stores no checkpoint");
        assertEquals(413, send("POST", "/hosting/" + id + "/" + group, Fixture.DEVICE_A, "{\"checkpoint\": \"" + "a".repeat(20_000) + "\"}")
                .status);
        assertEquals(204, send("DELETE", "/hosting/" + id + "/" + group, Fixture.DEVICE_A, null).status);
        assertFalse(JsonParser.parseString(send("GET", "/" + id, Fixture.ALICE, null).text()).getAsJsonObject().getAsJsonArray("groups")
                .get(group).getAsJsonObject().get("hosted").getAsBoolean(), "given back");
    }
}
