package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.daig.api.bus.Topics;
import org.daig.api.presence.ProviderInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;

/** Provider presence reaches the coordinator over the embedded Moquette broker. */
class PresenceTest {

    private final Grid grid = new Grid();

    @AfterEach
    void tearDown() throws IOException {
        grid.close();
    }

    @Test
    void aProviderAppearsOnlineWithItsMachineAndGoesOfflineWhenItsConnectionCloses() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-presence", url);
        Configuration providerBus = grid.bus(Topics.PROVIDER, "prov-presence", url);

        ProviderInfo seen = grid.awaitProviderServing("prov-presence");
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores, seen.machine().logicalCores(), "machine summary from OSHI: logical cores");
        assertTrue(seen.machine().memoryBytes() > 0, "machine summary: RAM");
        assertFalse(seen.machine().os().isBlank(), "machine summary: OS");
        assertTrue(seen.lastSeen() > 0);

        providerBus.delete(); // the provider's connection closes cleanly
        Grid.await("provider offline at the coordinator",
                () -> grid.provider("prov-presence").map(p -> !p.online()).orElse(false));
    }

    /**
     * presenceRepeatSeconds: for brokers that deliver retained messages only on their own node and
     * only to exact filters (a RabbitMQ cluster, docs/operations.md), a bus publishes its presence
     * again now and then, so a subscriber that came later still hears it live. Off (0), it is said once.
     */
    @Test
    void aBusRepeatsItsPresenceWhenToldToAndOnlyThen() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-repeat", url);
        grid.bus(Topics.PROVIDER, "prov-repeat", url, "presenceRepeatSeconds", "1");
        grid.bus(Topics.PROVIDER, "prov-once", url);
        grid.awaitProviderServing("prov-repeat");
        grid.awaitProviderServing("prov-once");
        String root = grid.topicRoot + "/providers/";
        try (RawClient watcher = RawClient.connect(url, "watch-repeat", "watch-repeat", grid.accounts.service("watch-repeat"))) {
            assertTrue(watcher.subscribe(root + "+/presence"));
            Grid.await("two live repeats of prov-repeat's presence", () -> watcher.received().stream()
                    .filter(m -> m.topic().equals(root + "prov-repeat/presence") && !m.retained() && m.payload().contains("\"online\":true"))
                    .count() >= 2);
            assertTrue(watcher.received().stream().noneMatch(m -> m.topic().equals(root + "prov-once/presence") && !m.retained()),
                    "a bus without presenceRepeatSeconds said its presence once (the retained copy only): " + watcher.received());
        }
    }

    @Test
    void theStatusEndpointListsProviders() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-http", url);
        grid.bus(Topics.PROVIDER, "prov-http", url);
        grid.awaitProviderServing("prov-http");

        String base = Grid.eventually("the HTTP endpoint", () -> grid.context.getServiceReference(HttpServiceRuntime.class) == null ? null
                : endpoint(grid.context.getServiceReference(HttpServiceRuntime.class).getProperty("osgi.http.endpoint")));
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(base + "api/status")).header("Authorization", "Bearer " + grid.adminToken()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        String body = response.body();
        assertTrue(body.contains("\"providers\""), body);
        assertTrue(body.contains("\"id\": \"prov-http\""), body);
        assertTrue(body.contains("\"logicalCores\""), body);
    }

    private static String endpoint(Object property) {
        String first = property instanceof String[] a && a.length > 0 ? a[0] : property instanceof String s ? s : null;
        if (first == null || first.contains(":0/")) {
            return null;
        }
        return first.endsWith("/") ? first : first + "/";
    }
}
