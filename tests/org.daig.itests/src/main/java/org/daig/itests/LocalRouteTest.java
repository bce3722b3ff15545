package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.daig.api.bus.LocalBroker;
import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker's in-process route (docs/operations.md, "Throughput"): a receiver attached
 * to it gets what clients publish without any network subscription, but only what the broker
 * accepted; what goes in through it reaches network subscribers, and retained messages are handed
 * to a new subscription on either side. The coordinator's bus takes it when its URL names the
 * embedded broker, and keeps presence, with the providers' last wills, on its connection.
 */
class LocalRouteTest {

    private final Grid grid = new Grid();
    private final List<String> got = new CopyOnWriteArrayList<>();
    private LocalBroker.Subscriber subscriber;

    @AfterEach
    void tearDown() throws Exception {
        if (subscriber != null) {
            subscriber.close();
        }
        grid.close();
    }

    private LocalBroker route(String url) {
        return Grid.eventually("the embedded broker's in-process route",
                () -> grid.service(LocalBroker.class, null).filter(r -> r.serves(url)).orElse(null));
    }

    private void receive(LocalBroker route, String... filters) {
        subscriber = route.attach((topic, payload, retained) -> got.add(topic + " " + new String(payload, StandardCharsets.UTF_8)
                + (retained ? " (retained)" : "")));
        subscriber.subscribe(List.of(filters));
    }

    @Test
    void aClientsMessageReachesTheRouteWithoutANetworkSubscriberButNotOneTheBrokerRefused() throws Exception {
        String url = grid.embeddedBroker();
        String root = grid.topicRoot + "/";
        receive(route(url), root + "providers/+/probe");
        try (RawClient mallory = RawClient.connect(url, "mallory-route", "mallory-route", grid.accounts.device("mallory-route"))) {
            mallory.sendUnacknowledged(root + "providers/victim-route/probe", "{\"forged\":true}", false); // another's subtree
            mallory.send(root + "providers/mallory-route/other", "{\"n\":0}", false); // not subscribed
            mallory.send(root + "providers/mallory-route/probe", "{\"n\":1}", false); // after the others: the broker keeps the order
            Grid.await("the client's own message through the route", () -> got.contains(root + "providers/mallory-route/probe {\"n\":1}"));
            assertEquals(List.of(root + "providers/mallory-route/probe {\"n\":1}"), got,
                    "neither the refused publish nor the unsubscribed topic reached the route");

            subscriber.unsubscribe(List.of(root + "providers/+/probe"));
            subscriber.subscribe(List.of(root + "providers/+/other"));
            mallory.send(root + "providers/mallory-route/probe", "{\"n\":2}", false);
            mallory.send(root + "providers/mallory-route/other", "{\"n\":3}", false);
            Grid.await("the message on the new filter", () -> got.contains(root + "providers/mallory-route/other {\"n\":3}"));
            assertFalse(got.contains(root + "providers/mallory-route/probe {\"n\":2}"), "nothing on the dropped filter: " + got);
        }
    }

    @Test
    void whatGoesInThroughTheRouteReachesNetworkSubscribersAndRetainedMessagesReachLaterSubscriptionsOnBothSides() throws Exception {
        String url = grid.embeddedBroker();
        String root = grid.topicRoot + "/";
        LocalBroker route = route(url);
        List<String> live = new CopyOnWriteArrayList<>(); // a first receiver: the client's retained message has passed the route
        LocalBroker.Subscriber first = route.attach((topic, payload, retained) -> live.add(topic));
        first.subscribe(List.of(root + "providers/+/info"));
        try (RawClient provider = RawClient.connect(url, "prov-route", "prov-route", grid.accounts.device("prov-route"))) {
            assertTrue(provider.subscribe(root + "coordinators/+/to/prov-route/tasks"));
            assertTrue(route.publish(root + "coordinators/coord-route/to/prov-route/tasks", bytes("{\"kind\":\"TASK\"}"), false));
            Grid.await("the answer at the provider", () -> provider.first(root + "coordinators/coord-route/to/prov-route/tasks").isPresent());

            provider.send(root + "providers/prov-route/info", "{\"id\":\"prov-route\"}", true);
            assertTrue(route.publish(root + "coordinators/coord-route/info", bytes("{\"id\":\"coord-route\"}"), true));
            assertTrue(route.publish(root + "coordinators/coord-old/info", bytes("{\"id\":\"coord-old\"}"), true));
            assertTrue(route.publish(root + "coordinators/coord-old/info", new byte[0], true)); // cleared
            Grid.await("the provider's retained message through the route", () -> live.contains(root + "providers/prov-route/info"));
        } finally {
            first.close();
        }
        receive(route, root + "providers/+/info", root + "coordinators/+/info");
        assertTrue(got.contains(root + "providers/prov-route/info {\"id\":\"prov-route\"} (retained)"), got.toString());
        assertTrue(got.contains(root + "coordinators/coord-route/info {\"id\":\"coord-route\"} (retained)"), got.toString());
        assertEquals(2, got.size(), "a cleared topic is not handed on: " + got);
        try (RawClient late = RawClient.connect(url, "late-route", "late-route", grid.accounts.device("late-route"))) {
            assertTrue(late.subscribe(root + "coordinators/+/info"));
            Grid.await("the retained announcement at a later network subscriber",
                    () -> late.first(root + "coordinators/coord-route/info").map(RawClient.Received::retained).orElse(false));
            assertTrue(late.first(root + "coordinators/coord-old/info").isEmpty(), "the cleared one is gone on the broker too");
        }
    }

    @Test
    void theCoordinatorsBusTakesTheRouteAndStillHearsAProvidersLastWill() throws Exception {
        String url = grid.embeddedBroker();
        route(url);
        try (LogCapture log = new LogCapture()) {
            grid.bus(Topics.COORDINATOR, "coord-will", url);
            log.await("coord-will", "in-process route to the embedded broker");
        }
        grid.awaitConnected("coord-will");
        String presence = grid.topicRoot + "/" + Topics.presence(Topics.PROVIDER, "prov-will");
        long since = System.currentTimeMillis();
        RawClient provider = RawClient.connect(url, "prov-will", "prov-will", grid.accounts.device("prov-will"), o -> o.setWill(presence,
                bytes("{\"clientId\":\"prov-will\",\"role\":\"provider\",\"online\":false,\"since\":" + since + ",\"reason\":\"lost\"}"),
                1, true));
        provider.send(presence, "{\"clientId\":\"prov-will\",\"role\":\"provider\",\"online\":true,\"since\":" + since + "}", true);
        Grid.await("the provider online at the coordinator", () -> grid.provider("prov-will").map(p -> p.online()).orElse(false));
        provider.cut(); // no DISCONNECT: the broker sends the will, to network subscribers only
        Grid.await("the provider offline at the coordinator, from its will", () -> grid.provider("prov-will").map(p -> !p.online())
                .orElse(false));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
