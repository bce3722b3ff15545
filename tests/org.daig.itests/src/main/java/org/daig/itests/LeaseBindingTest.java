package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Results and presence are bound to the authenticated provider: another provider can neither
 * drop the victim's lease with a forged "offline" (a retained publish, or a last will on the
 * victim's topic) nor be credited for a result on the victim's lease; the victim's own result on
 * it still counts. The victim and the attacker are hand-made clients speaking docs/protocol.md;
 * the coordinator and the broker are the real components.
 */
class LeaseBindingTest {

    private final Grid grid = new Grid();
    private final HttpClient http = HttpClient.newHttpClient();
    private String projectId;

    @AfterEach
    void tearDown() throws Exception {
        if (projectId != null) {
            grid.gogo("cancel", projectId);
        }
        grid.close();
    }

    private static String presence(String id, boolean online, long since, String reason) {
        return "{\"clientId\":\"" + id + "\",\"role\":\"provider\",\"online\":" + online + ",\"since\":" + since
                + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}";
    }

    private static String result(String requestId, String leaseId, JsonObject task) {
        // the version's own parameters as the "delta": a blob that exists and has the model's length, so only the lease decides
        return "{\"requestId\":\"" + requestId + "\",\"leaseId\":\"" + leaseId + "\",\"projectId\":\"" + task.get("projectId").getAsString()
                + "\",\"round\":" + task.get("round").getAsInt() + ",\"shard\":" + task.get("shard").getAsInt() + ",\"version\":"
                + task.get("version").getAsInt() + ",\"delta\":\"" + task.get("params").getAsString() + "\",\"samples\":"
                + task.get("rows").getAsLong() + ",\"loss\":0.5,\"accuracy\":0.5,\"seconds\":1.0}";
    }

    /** Sends {@code message} on the client's own task topic and waits for the coordinator's reply to {@code requestId}. */
    private static JsonObject exchange(RawClient client, BlockingQueue<JsonObject> replies, String topic, String message, String requestId)
            throws Exception {
        client.send(topic, message, false);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonObject reply;
        do {
            reply = replies.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } while (reply != null && !requestId.equals(reply.get("requestId").getAsString()));
        return reply;
    }

    private static BlockingQueue<JsonObject> replies(RawClient client) {
        BlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
        client.onMessage(m -> queue.add(JsonParser.parseString(m.payload()).getAsJsonObject()));
        return queue;
    }

    @Test
    void forgedPresenceAndAForgedResultLeaveTheHoldersLeaseAndCredit() throws Exception {
        assumeTrue(TinyProject.available(), "../shared/data or the trainer runtime is absent: the coordinator needs them to prepare a project");
        grid.spotChecks(0, 0); // the victim's "update" is made up: there is nothing to replay
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-lease", url);
        grid.awaitConnected("coord-lease");
        String base = grid.httpBase();
        projectId = TinyProject.submit(http, base, grid.adminToken(), "lease-binding", 200, 2, 2);
        String root = grid.topicRoot + "/";
        String victimPresence = root + "providers/victim-lease/presence";
        long since = System.currentTimeMillis();

        try (RawClient victim = RawClient.connect(url, "victim-lease", "victim-lease", grid.accounts.device("victim-lease"),
                o -> o.setWill(victimPresence, presence("victim-lease", false, since, "connection lost").getBytes(), 1, true));
             RawClient mallory = RawClient.connect(url, "mallory-lease", "mallory-lease", grid.accounts.device("mallory-lease"));
             LogCapture log = new LogCapture()) {
            victim.send(victimPresence, presence("victim-lease", true, since, null), true);
            assertTrue(victim.subscribe(root + "coordinators/+/to/victim-lease/tasks"));
            assertTrue(mallory.subscribe(root + "coordinators/+/to/mallory-lease/tasks"));
            BlockingQueue<JsonObject> victimReplies = replies(victim);
            BlockingQueue<JsonObject> malloryReplies = replies(mallory);

            JsonObject task = Grid.eventually("a task for the victim, once the project is prepared", () -> {
                try {
                    String id = UUID.randomUUID().toString();
                    JsonObject reply = exchange(victim, victimReplies, root + "providers/victim-lease/tasks/request",
                            "{\"requestId\":\"" + id + "\",\"maxParams\":0}", id);
                    return reply != null && "TASK".equals(reply.get("kind").getAsString()) ? reply.getAsJsonObject("task") : null;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            String leaseId = task.get("leaseId").getAsString();

            // 1. a retained "offline" on the victim's presence topic: the broker refuses the publish
            mallory.sendUnacknowledged(victimPresence, presence("victim-lease", false, since, "forged"), true);
            // 2. a last will on the victim's topic (Moquette 0.17 sends it unchecked): the coordinator does not believe it
            RawClient.connect(url, "willer-lease", "willer-lease", grid.accounts.device("willer-lease"),
                    o -> o.setWill(victimPresence, presence("victim-lease", false, since + 1, "forged will").getBytes(), 1, true)).cut();
            log.await("Ignored an offline message for provider victim-lease");
            log.await("client 'willer-lease' registered a last will on", "providers/victim-lease/presence");
            // 3. a result on the victim's lease
            JsonObject refused = exchange(mallory, malloryReplies, root + "providers/mallory-lease/tasks/result",
                    result("forged-1", leaseId, task), "forged-1");
            assertEquals("REFUSED", refused.get("kind").getAsString(), refused.toString());
            assertTrue(refused.get("message").getAsString().contains("is not yours"), refused.toString());

            String leases = grid.gogo("leases");
            assertTrue(leases.lines().anyMatch(l -> l.startsWith(leaseId) && l.contains("victim-lease")), "the victim keeps its lease: " + leases);
            assertFalse(grid.gogo("credits").contains("mallory-lease"), "the forger earned nothing");
            assertTrue(grid.provider("victim-lease").orElseThrow().online(), "the victim is online for the coordinator");

            JsonObject own = exchange(victim, victimReplies, root + "providers/victim-lease/tasks/result", result("own-1", leaseId, task), "own-1");
            assertEquals("ACCEPTED", own.get("kind").getAsString(), "the holder's own result on its lease counts: " + own);
            assertTrue(grid.gogo("credits").contains("victim-lease"));
            assertFalse(grid.gogo("credits").contains("mallory-lease"));
        }
    }
}
