package org.daig.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.daig.api.bus.LocalBroker.Receiver;
import org.junit.jupiter.api.Test;

import io.moquette.broker.subscriptions.Topic;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;

/** The in-process route's copy of the retained messages follows the broker's {@link RetainRule}. */
class LocalRouteRetainedTest {

    private static final String P1 = "daig/v1/providers/p1/";

    @Test
    void aProvidersRetainedMessageOffItsPresenceAndInfoIsPassedOnButNotKept() {
        LocalRoute route = new LocalRoute(url -> true);
        List<String> live = new ArrayList<>();
        route.attach(into(live)).subscribe(List.of("daig/v1/providers/+/#"));
        route.onPublish(fromClient(P1 + "presence", "online"));
        for (int i = 0; i < 1000; i++) {
            route.onPublish(fromClient(P1 + "flood/" + i, "x"));
        }
        assertEquals(1001, live.size(), "every message reaches the subscription that was there");
        assertEquals(P1 + "presence", live.get(0));

        List<String> late = new ArrayList<>();
        route.attach(into(late)).subscribe(List.of("daig/v1/providers/+/#"));
        assertEquals(List.of(P1 + "presence (retained)"), late, "a later subscription gets only what the protocol retains");
    }

    @Test
    void withTheBrokersIndexTheRouteKeepsWhatTheBrokerKeepsUpToTheCapAcrossTopicRoots() {
        LocalRoute route = new LocalRoute(url -> true);
        RetainedIndex index = new RetainedIndex();
        route.keepAsIn(index);
        for (int root = 0; root < 10; root++) {
            String topic = "r" + root + "/v1/providers/p1/presence";
            MqttPublishMessage publish = retained(topic, "online");
            index.retain(new Topic(topic), publish); // the broker stores first, then tells the route
            route.onPublish(new InterceptPublishMessage(publish, "p1", "p1"));
        }
        List<String> late = new ArrayList<>();
        route.attach(into(late)).subscribe(List.of("+/+/providers/+/presence"));
        assertEquals(RetainedIndex.MOST_PER_PROVIDER, late.size(), "what the broker keeps: " + late);
    }

    private static Receiver into(List<String> got) {
        return (topic, payload, retained) -> got.add(topic + (retained ? " (retained)" : ""));
    }

    private static InterceptPublishMessage fromClient(String topic, String payload) {
        return new InterceptPublishMessage(retained(topic, payload), "p1", "p1");
    }

    private static MqttPublishMessage retained(String topic, String payload) {
        return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).retained(true).messageId(1)
                .payload(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)).build();
    }
}
