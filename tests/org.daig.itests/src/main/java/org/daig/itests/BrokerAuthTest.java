package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.daig.api.bus.Topics;
import org.daig.api.presence.ProviderInfo;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker with authentication and ACLs on: who gets in, and what a client that got in
 * may publish and subscribe to. Every refusal is checked together with what must not have changed.
 */
class BrokerAuthTest {

    private final Grid grid = new Grid();

    @AfterEach
    void tearDown() throws Exception {
        grid.close();
    }

    private static void assertRefused(String what, RawClient.ThrowingConnect connect) {
        MqttException e = assertThrows(MqttException.class, connect::run, what + " got in");
        assertTrue(e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                || e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED, what + ": " + e);
    }

    @Test
    void anonymousWrongTokenAndAnotherClientsIdAreRefusedAndTheProviderKeepsItsConnection() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-auth", url);
        grid.bus(Topics.PROVIDER, "prov-auth", url);
        long since = grid.awaitProviderServing("prov-auth").since();
        String malloryToken = grid.accounts.device("mallory-auth");

        try (LogCapture log = new LogCapture()) {
            assertRefused("an anonymous client", () -> RawClient.connect(url, "anon-auth", null, null));
            assertRefused("a user name without a password", () -> RawClient.connect(url, "anon-auth", "anon-auth", null));
            assertRefused("a wrong token", () -> RawClient.connect(url, "prov-auth", "prov-auth", "daig_guess_0000"));
            assertRefused("a valid token under another user name", () -> RawClient.connect(url, "prov-auth", "mallory-auth", malloryToken));
            assertRefused("a valid token under another client id", () -> RawClient.connect(url, "prov-auth", "prov-auth", malloryToken));
            assertRefused("a client id that is not the user name", () -> RawClient.connect(url, "other-id", "mallory-auth", malloryToken));
            log.await("refused client 'prov-auth'", "not for this client id");
            assertFalse(log.lines().stream().anyMatch(l -> l.contains(malloryToken)), "a token is never logged");
        }

        assertTrue(grid.bus("prov-auth").orElseThrow().isConnected(), "no refused connect took the provider's session over");
        ProviderInfo after = grid.provider("prov-auth").orElseThrow();
        assertTrue(after.online());
        assertEquals(since, after.since(), "the provider never went offline");
        assertFalse(grid.provider("anon-auth").isPresent() || grid.provider("other-id").isPresent());
        try (RawClient mallory = RawClient.connect(url, "mallory-auth", "mallory-auth", malloryToken)) {
            assertTrue(mallory.client.isConnected(), "the same token under its own id is fine");
        }
    }

    @Test
    void aProviderCannotPublishIntoAnotherProvidersSubtreeOrUnderTheCoordinatorsNorReadOthersReplies() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-acl", url);
        grid.bus(Topics.PROVIDER, "prov-victim", url);
        ProviderInfo before = grid.awaitProviderServing("prov-victim");
        String root = grid.topicRoot + "/";
        try (RawClient watcher = RawClient.connect(url, "watch-acl", "watch-acl", grid.accounts.service("watch-acl"));
             RawClient mallory = RawClient.connect(url, "mallory-acl", "mallory-acl", grid.accounts.device("mallory-acl"));
             LogCapture log = new LogCapture()) {
            assertTrue(watcher.subscribe(root + "#"), "the service identity reads everything");
            List<String> forbidden = List.of(root + "providers/prov-victim/info", root + "providers/prov-victim/tasks/request",
                    root + "coordinators/coord-acl/to/prov-victim/tasks", root + "coordinators/coord-acl/info",
                    root + "coordinators/mallory-acl/presence");
            for (String topic : forbidden) {
                mallory.sendUnacknowledged(topic, "{\"id\":\"prov-victim\",\"name\":\"forged\"}", false);
            }
            mallory.sendUnacknowledged(root + "providers/prov-victim/presence",
                    "{\"clientId\":\"prov-victim\",\"role\":\"provider\",\"online\":false,\"since\":1,\"reason\":\"forged\"}", true);
            mallory.send(root + "providers/mallory-acl/marker", "{}", false); // after the others: the broker keeps the order

            Grid.await("the marker from the attacker's own subtree", () -> watcher.first(root + "providers/mallory-acl/marker").isPresent());
            for (String topic : forbidden) { // the real provider's and coordinator's own messages may be there, never the attacker's
                assertTrue(watcher.received().stream().noneMatch(m -> m.topic().equals(topic) && m.payload().contains("forged")),
                        "the attacker's message reached the watcher: " + topic);
            }
            assertTrue(watcher.received().stream().noneMatch(m -> m.payload().contains("forged")), "nothing forged got through");
            log.await("refused a publish by 'mallory-acl'", "providers/prov-victim/presence");

            assertFalse(mallory.subscribe(root + "coordinators/+/to/+/tasks"), "everyone's task replies");
            assertFalse(mallory.subscribe(root + "coordinators/coord-acl/to/prov-victim/tasks"), "another provider's replies");
            assertFalse(mallory.subscribe(root + "providers/+/presence"), "the providers' presence");
            assertTrue(mallory.subscribe(root + "coordinators/+/to/mallory-acl/tasks"), "its own replies");
            assertTrue(mallory.subscribe(root + "coordinators/+/info"), "the coordinators' announcements");
        }
        ProviderInfo after = grid.provider("prov-victim").orElseThrow();
        assertTrue(after.online(), "the victim is still online");
        assertEquals(before.since(), after.since(), "and never went offline");
        assertEquals(before.name(), after.name(), "its announcement is its own");
        try (RawClient late = RawClient.connect(url, "late-acl", "late-acl", grid.accounts.service("late-acl"))) {
            late.subscribe(root + "providers/prov-victim/presence");
            Grid.await("the retained presence", () -> late.first(root + "providers/prov-victim/presence").isPresent());
            assertTrue(late.first(root + "providers/prov-victim/presence").orElseThrow().payload().contains("\"online\":true"),
                    "the retained presence is the provider's own, not the forged offline one");
        }
    }

    @Test
    void aProviderRetainingOnTopicsOfItsOwnSubtreeHasOnlyItsInfoAndPresenceKept() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-retain", url);
        grid.awaitConnected("coord-retain"); // the broker is up
        String own = grid.topicRoot + "/providers/mallory-retain/";
        try (RawClient mallory = RawClient.connect(url, "mallory-retain", "mallory-retain", grid.accounts.device("mallory-retain"));
             RawClient live = RawClient.connect(url, "live-retain", "live-retain", grid.accounts.service("live-retain"));
             LogCapture log = new LogCapture()) {
            assertTrue(live.subscribe(own + "#"));
            mallory.send(own + "info", "{\"id\":\"mallory-retain\",\"name\":\"kept\"}", true);
            for (int i = 0; i < 100; i++) { // its own subtree, which the ACL lets it write
                mallory.send(own + "flood/" + i, "{\"n\":" + i + "}", true);
            }
            Grid.await("the flood, live", () -> live.first(own + "flood/99").isPresent());
            assertEquals(101, live.received().size(), "every message reached the subscriber that was there");
            log.await("passed on a retained message from provider 'mallory-retain'", "without keeping it");

            try (RawClient late = RawClient.connect(url, "late-retain", "late-retain", grid.accounts.service("late-retain"))) {
                assertTrue(late.subscribe(own + "#"));
                mallory.send(own + "marker", "{}", false); // after its subscription's retained messages: the broker keeps the order
                Grid.await("the marker", () -> late.first(own + "marker").isPresent());
                assertEquals(List.of(own + "info", own + "marker"), late.received().stream().map(m -> m.topic()).toList(),
                        "a later subscriber gets the retained info, none of the flood");
            }
        }
    }

    @Test
    void aBusWithoutItsTokenFileWaitsWithOneClearLineAndConnectsOnceTheFileIsWritten() throws Exception {
        String url = grid.embeddedBroker();
        Path file = Path.of(System.getProperty("daig.data.dir", "daig-data"), "itest-tokens",
                "late-" + Integer.toHexString(grid.topicRoot.hashCode()));
        Files.deleteIfExists(file);
        Files.createDirectories(file.getParent());
        try (LogCapture log = new LogCapture()) {
            grid.bus(Topics.PROVIDER, "prov-late", url, "passwordFile", file.toString());
            log.await("prov-late", "password file " + file, "does not exist (yet)", "retrying in");
            assertFalse(grid.bus("prov-late").orElseThrow().isConnected(), "no connect without the token");
            String token = grid.accounts.device("prov-late");
            Files.writeString(file, token + "\n"); // as enrolment does
            grid.awaitConnected("prov-late");
            assertFalse(log.lines().stream().anyMatch(l -> l.contains(token)), "the token is never logged");
            assertFalse(log.lines().stream().anyMatch(l -> l.contains("Exception")), "no stack trace for a missing file");
        }
    }
}
