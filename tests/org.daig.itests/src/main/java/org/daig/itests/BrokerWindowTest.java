package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker's flow control. Every provider's requests and results reach the coordinator
 * through its one subscription, so its session may have hundreds of QoS 1 messages on their way
 * before it acknowledges one; with Moquette's own window of 10 a busy grid waited on the
 * acknowledgements. A provider's session keeps the window of 10.
 */
class BrokerWindowTest {

    private static final int SENT = 100;

    private final Grid grid = new Grid();

    @AfterEach
    void tearDown() throws Exception {
        grid.close();
    }

    @Test
    void theCoordinatorGetsAHundredMessagesBeforeItAcknowledgesOneAndAProviderTen() throws Exception {
        String url = grid.embeddedBroker();
        String root = grid.topicRoot + "/";
        grid.bus(Topics.PROVIDER, "prov-window-bus", url);
        grid.awaitConnected("prov-window-bus"); // the broker is up
        // the clients' own limit of messages in flight (Paho: 10) must not stop the sending: the broker's window is under test
        try (RawClient coordinator = RawClient.connect(url, "coord-window", "coord-window", grid.accounts.service("coord-window"),
                o -> o.setMaxInflight(4 * SENT));
             RawClient provider = RawClient.connect(url, "prov-window", "prov-window", grid.accounts.device("prov-window"),
                o -> o.setMaxInflight(4 * SENT))) {
            assertTrue(coordinator.subscribeAcknowledgingByHand(root + "providers/+/tasks/+"));
            assertTrue(provider.subscribeAcknowledgingByHand(root + "coordinators/+/to/prov-window/tasks"));
            for (int i = 0; i < SENT; i++) {
                provider.send(root + "providers/prov-window/tasks/request", "{\"n\":" + i + "}", false);
                coordinator.send(root + "coordinators/coord-window/to/prov-window/tasks", "{\"n\":" + i + "}", false);
            }

            Grid.await("the provider's " + SENT + " requests at the coordinator, none acknowledged", () -> distinct(coordinator) == SENT);
            Grid.await("ten answers at the provider", () -> distinct(provider) == 10);
            List<RawClient.Received> first = provider.received();
            provider.acknowledge(first.get(0));
            Grid.await("an eleventh answer once the provider acknowledged one", () -> distinct(provider) == 11);
        }
    }

    /** Messages received, a resent copy counted once. */
    private static long distinct(RawClient client) {
        return client.received().stream().map(RawClient.Received::payload).distinct().count();
    }
}
