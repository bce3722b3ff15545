package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input on the control plane: each gets a clear log line, and the process keeps working. */
class BadInputTest {

    private final Grid grid = new Grid();

    @AfterEach
    void tearDown() throws Exception {
        grid.close();
    }

    @Test
    void malformedAndForgedMessagesAreDroppedWithAReasonAndTheCoordinatorKeepsServing() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-bad", url);
        grid.awaitConnected("coord-bad");
        try (LogCapture log = new LogCapture()) {
            // a provider that got in (its own device token) sending garbage on its own topics
            MqttClient raw = new MqttClient(url, "evil", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setUserName("evil");
            options.setPassword(grid.accounts.device("evil").toCharArray());
            raw.connect(options);
            String root = grid.topicRoot + "/";
            raw.publish(root + "providers/evil/presence", bytes("this is not json"), 1, false);
            raw.publish(root + "providers/evil/presence",
                    bytes("{\"clientId\":\"someone-else\",\"role\":\"provider\",\"online\":true,\"since\":1}"), 1, false);
            raw.publish(root + "providers/evil/info", bytes("{\"id\":\"evil\",\"name\":\"x\"}"), 1, false);
            raw.publish(root + "providers/evil/presence",
                    bytes("{\"clientId\":\"evil\",\"role\":\"provider\",\"online\":\"yes\",\"since\":1}"), 1, false);
            raw.disconnect();
            raw.close();

            log.await("dropped a malformed message", "providers/evil/presence", "not valid JSON");
            log.await("dropped a malformed message", "does not match the topic");
            log.await("dropped a malformed message", "providers/evil/info", "no machine summary");
            log.await("dropped a malformed message", "must be a boolean");
            assertFalse(grid.provider("evil").isPresent(), "nothing from the malformed messages was believed");
            assertFalse(log.lines().stream().anyMatch(l -> l.startsWith("ERROR")), "malformed input is not an internal error");
        }
        // and the coordinator still works
        grid.bus(Topics.PROVIDER, "prov-after-bad", url);
        grid.awaitProviderServing("prov-after-bad");
    }

    @Test
    void anUnreachableBrokerIsRetriedWithAClearLineWhileTheBusStaysUsable() throws Exception {
        int closedPort = Grid.freePort();
        try (LogCapture log = new LogCapture()) {
            grid.bus(Topics.PROVIDER, "prov-unreachable", "tcp://127.0.0.1:" + closedPort);
            log.await("prov-unreachable", "cannot connect", "connection refused", "retrying in");
            MessageBus bus = Grid.eventually("the bus service", () -> grid.bus("prov-unreachable").orElse(null));
            assertFalse(bus.isConnected());
            assertFalse(bus.publish("providers/prov-unreachable/info", "x", false), "publishing while offline says so");
            assertFalse(log.lines().stream().anyMatch(l -> l.contains("Exception")), "no stack trace for an unreachable broker");
        }
    }

    @Test
    void aSecondCoordinatorOnTheSameTopicRootIsReportedAndBothKeepRunning() throws Exception {
        String url = grid.embeddedBroker();
        try (LogCapture log = new LogCapture()) {
            grid.bus(Topics.COORDINATOR, "coord-first", url);
            grid.awaitConnected("coord-first");
            grid.bus(Topics.COORDINATOR, "coord-second", url);
            grid.awaitConnected("coord-second");
            log.await("Another coordinator", "coord-second");
            Grid.await("the directory reports the other coordinator",
                    () -> grid.directory().otherCoordinators().contains("coord-second"));
            grid.bus(Topics.PROVIDER, "prov-two-coords", url);
            grid.awaitProviderServing("prov-two-coords");
            assertTrue(grid.bus("coord-first").orElseThrow().isConnected());
            assertEquals(1, log.lines().stream().filter(l -> l.contains("Another coordinator, coord-second")).count(),
                    "said once, not on every message");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
