package org.daig.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.subscriptions.Topic;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;

class RetainedIndexTest {

    private static final List<String> TOPICS = List.of("daig/v1/providers/p1/presence", "daig/v1/providers/p2/presence",
            "daig/v1/coordinators/c1/announce", "daig/v1/coordinators/c1/to/p1/tasks", "daig/v1/coordinators/c2/to/p1/tasks",
            "a", "a/b", "a/b/c", "a/x/c", "a//c", "/lead", "trail/", "$SYS/load", "sport/tennis/player1", "sport");
    private static final List<String> FILTERS = List.of("#", "+", "+/+", "+/#", "a/#", "a/+", "a/+/c", "a/b/c/#", "/+", "+/",
            "daig/v1/providers/+/presence", "daig/v1/coordinators/+/to/p1/tasks", "daig/#", "$SYS/#", "sport/#", "sport/tennis/+",
            "a/b", "nothing/here", "a/b/c/d");

    @Test
    void aSubscriptionFindsWhatMoquettesOwnMatchingFinds() {
        RetainedIndex index = new RetainedIndex();
        TOPICS.forEach(topic -> index.retain(new Topic(topic), retained(topic, topic)));
        for (String filter : FILTERS) {
            Set<String> moquette = TOPICS.stream().filter(topic -> new Topic(topic).match(new Topic(filter)))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(moquette, topics(index, filter), "filter " + filter);
        }
        assertEquals(Set.of("daig/v1/providers/p1/presence", "daig/v1/providers/p2/presence"),
                topics(index, "daig/v1/providers/+/presence"), "the presence of every provider, nothing else");
    }

    @Test
    void aClearedTopicIsNoLongerFoundAndANewMessageReplacesTheOld() {
        RetainedIndex index = new RetainedIndex();
        assertTrue(index.isEmpty());
        index.retain(new Topic("a/b"), retained("a/b", "first"));
        index.retain(new Topic("a/b"), retained("a/b", "second"));
        index.retain(new Topic("a/c"), retained("a/c", "other"));
        assertEquals(List.of("second"), payloads(index, "a/b"));
        index.cleanRetained(new Topic("a/b"));
        index.cleanRetained(new Topic("a/b")); // twice: still one message left
        index.cleanRetained(new Topic("never/retained"));
        assertEquals(List.of(), payloads(index, "a/b"));
        assertFalse(index.isEmpty(), "a/c is still retained");
        index.cleanRetained(new Topic("a/c"));
        assertTrue(index.isEmpty());
        assertEquals(0, index.levels(), "cleared topics leave no levels behind");

        index.retain(new Topic("x/y/z"), retained("x/y/z", "deep"));
        index.retain(new Topic("x/y"), retained("x/y", "above it"));
        index.cleanRetained(new Topic("x/y/z"));
        assertEquals(2, index.levels(), "x and x/y stay for the message on x/y");
        assertEquals(List.of("above it"), payloads(index, "x/#"));
    }

    @Test
    void aMessageThousandsOfLevelsDeepIsFoundAndClearedWithoutOverflowingTheStack() throws Exception {
        RetainedIndex index = new RetainedIndex();
        // devices cannot have such a topic kept (RetainRule), but the service identity and an allowAnonymous broker's clients can
        String deep = "daig/v1/coordinators/c1/" + "a/".repeat(20_000) + "end";
        index.retain(new Topic(deep), retained(deep, "deep"));
        index.retain(new Topic("daig/v1/providers/p2/presence"), retained("daig/v1/providers/p2/presence", "online"));
        // on a thread with a small stack, as the broker's threads may have: one frame per level would overflow it
        FutureTask<List<String>> lookup = new FutureTask<>(() -> payloads(index, "daig/v1/coordinators/c1/#"));
        Thread thread = new Thread(null, lookup, "small-stack", 256 * 1024);
        thread.start();
        assertEquals(List.of("deep"), lookup.get(30, TimeUnit.SECONDS));
        assertEquals(List.of("online"), payloads(index, "daig/v1/providers/+/presence"));
        index.cleanRetained(new Topic(deep));
        assertEquals(5, index.levels(), "only p2's presence is left: daig, v1, providers, p2, presence");
    }

    @Test
    void aProviderFloodingRetainedTopicsInItsSubtreeHasOnlyItsPresenceAndInfoKept() {
        RetainedIndex index = new RetainedIndex();
        String p1 = "daig/v1/providers/p1/";
        index.retain(new Topic(p1 + "presence"), retained(p1 + "presence", "online"));
        index.retain(new Topic(p1 + "info"), retained(p1 + "info", "its machine"));
        int levelsBefore = index.levels();
        for (int i = 0; i < 10_000; i++) { // each a topic of its own: all in p1's own subtree, which the ACL lets it write
            String topic = p1 + "flood/" + i;
            index.retain(new Topic(topic), retained(topic, "x".repeat(1000)));
        }
        String deep = p1 + "a/".repeat(20_000) + "end";
        index.retain(new Topic(deep), retained(deep, "deep"));
        index.retain(new Topic(p1 + "presence/x"), retained(p1 + "presence/x", "below its presence"));
        index.retain(new Topic("daig-it-1/v1/providers/p1/tasks/request"), retained("daig-it-1/v1/providers/p1/tasks/request", "on a test root"));
        assertEquals(levelsBefore, index.levels(), "none of them takes memory");
        assertEquals(Set.of(p1 + "info", p1 + "presence"), topics(index, "#"));
        assertEquals(List.of("online"), payloads(index, p1 + "presence"));

        for (int root = 0; root < 1000; root++) { // the broker takes any root: its presence under a thousand of them
            String topic = "r" + root + "/v1/providers/p1/presence";
            index.retain(new Topic(topic), retained(topic, "online"));
        }
        assertEquals(RetainedIndex.MOST_PER_PROVIDER, topics(index, "+/+/providers/p1/+").size(), "at most this many topics a provider");
        index.cleanRetained(new Topic(p1 + "info"));
        index.retain(new Topic("r999/v1/providers/p1/presence"), retained("r999/v1/providers/p1/presence", "online"));
        assertTrue(index.holds("r999/v1/providers/p1/presence"), "a cleared topic makes room");
        index.retain(new Topic(p1 + "presence"), retained(p1 + "presence", "offline"));
        assertEquals(List.of("offline"), payloads(index, p1 + "presence"), "a kept topic can always be replaced");
        index.retain(new Topic("daig/v1/providers/p2/presence"), retained("daig/v1/providers/p2/presence", "online"));
        assertTrue(index.holds("daig/v1/providers/p2/presence"), "each provider has its own cap");

        index.retain(new Topic("daig/v1/coordinators/c1/projects/x/progress"), retained("daig/v1/coordinators/c1/projects/x/progress", "3/10"));
        assertEquals(List.of("3/10"), payloads(index, "daig/v1/coordinators/+/projects/+/progress"), "the coordinators' subtrees are kept");
    }

    @Test
    void whatClientsRetainOrClearWhileTheOldMessagesAreCarriedOverIsNotUndone() {
        RetainedIndex before = new RetainedIndex(); // the store the broker had (any IRetainedRepository)
        before.retain(new Topic("p1/presence"), retained("p1/presence", "online"));
        before.retain(new Topic("p2/presence"), retained("p2/presence", "online"));
        before.retain(new Topic("p3/presence"), retained("p3/presence", "online"));
        RetainedIndex index = RetainedIndex.carryingOver();
        // between the swap and the carry-over the broker's clients are already at work
        index.cleanRetained(new Topic("p1/presence"));
        index.retain(new Topic("p3/presence"), retained("p3/presence", "online again"));
        index.carryOver(before);
        assertEquals(List.of(), payloads(index, "p1/presence"), "p1's clear stands: its old presence does not come back");
        assertEquals(List.of("online"), payloads(index, "p2/presence"), "carried over");
        assertEquals(List.of("online again"), payloads(index, "p3/presence"), "the newer message wins");

        index.cleanRetained(new Topic("p2/presence"));
        index.retain(new Topic("p1/presence"), retained("p1/presence", "back"));
        assertEquals(Set.of("p1/presence", "p3/presence"), topics(index, "+/presence"), "after the carry-over it works as before");
    }

    @Test
    void theBrokerKeepsItsRetainedMessagesInTheIndexOnceItIsInstalled() throws IOException {
        Server server = new Server();
        Properties properties = new Properties();
        properties.setProperty("host", "127.0.0.1");
        properties.setProperty("port", Integer.toString(freePort()));
        properties.setProperty("websocket_port", "disabled");
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("telemetry_enabled", "false");
        properties.setProperty("allow_anonymous", "true");
        server.startServer(new MemoryConfig(properties));
        try {
            server.internalPublish(retained("before/x", "kept from before"), "test");
            RetainedIndex index = RetainedIndex.install(server).orElseThrow();
            assertEquals(List.of("kept from before"), payloads(index, "before/+"), "carried over");

            server.internalPublish(retained("after/y", "retained after"), "test");
            assertEquals(List.of("retained after"), payloads(index, "after/#"), "the broker now retains into the index");
            server.internalPublish(retained("before/x", ""), "test"); // an empty retained message clears the topic
            server.internalPublish(retained("daig/v1/providers/p9/flood", "not the protocol's"), "test");
            assertEquals(Set.of("after/y"), topics(index, "#"), "and it keeps a provider's retained messages on presence and info only");
        } finally {
            server.stopServer();
        }
    }

    /** QoS 1: Moquette 0.17 clears a topic's retained message when a retained QoS 0 message comes. */
    private static MqttPublishMessage retained(String topic, String payload) {
        return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).retained(true)
                .payload(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)).build();
    }

    private static Set<String> topics(RetainedIndex index, String filter) {
        return index.retainedOnTopic(filter).stream().map(m -> m.getTopic().toString()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> payloads(RetainedIndex index, String filter) {
        return index.retainedOnTopic(filter).stream().map(m -> new String(m.getPayload(), StandardCharsets.UTF_8)).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
