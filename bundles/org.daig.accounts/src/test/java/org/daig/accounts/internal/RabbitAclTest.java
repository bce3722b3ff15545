package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.daig.api.account.Scope;
import org.junit.jupiter.api.Test;

/** The broker ACL on RabbitMQ's routing keys (the product test RabbitClusterTest asks a real RabbitMQ cluster). */
class RabbitAclTest {

    @Test
    void aDeviceWritesOnlyItsOwnSubtree() {
        assertTrue(RabbitAcl.mayWrite(Scope.DEVICE, "p1", "daig.v1.providers.p1.presence"));
        assertTrue(RabbitAcl.mayWrite(Scope.DEVICE, "p1", "daig.v1.providers.p1.tasks.result"));
        assertTrue(RabbitAcl.mayWrite(Scope.DEVICE, "p1", "other.v2.providers.p1.presence"), "any root, as on the embedded broker");
        assertFalse(RabbitAcl.mayWrite(Scope.DEVICE, "p1", "daig.v1.providers.p2.presence"));
        assertFalse(RabbitAcl.mayWrite(Scope.DEVICE, "p1", "daig.v1.coordinators.coordinator-x.presence"));
        assertFalse(RabbitAcl.mayWrite(Scope.DEVICE, "p1", "daig.v1.providers"));
        assertFalse(RabbitAcl.mayWrite(Scope.DEVICE, "p1", "daig.v1.providers.*.presence"));
        assertFalse(RabbitAcl.mayWrite(Scope.DEVICE, "p1", "daig..providers.p1.presence"));
        assertFalse(RabbitAcl.mayWrite(Scope.API, "p1", "daig.v1.providers.p1.presence"), "a person's API token is no broker login");
        assertFalse(RabbitAcl.mayWrite(null, "p1", "daig.v1.providers.p1.presence"));
        assertTrue(RabbitAcl.mayWrite(Scope.SERVICE, "coordinator-x", "daig.v1.coordinators.coordinator-x.to.p1.tasks"));
    }

    @Test
    void aDeviceReadsTheCoordinatorsStateAndOnlyItsOwnReplies() {
        assertTrue(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.coordinators.*.presence"));
        assertTrue(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.coordinators.*.info"));
        assertTrue(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.coordinators.*.projects.*.progress"));
        assertTrue(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.coordinators.*.to.p1.tasks"));
        assertTrue(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.coordinators.*.to.p1.#"));
        assertFalse(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.coordinators.*.to.p2.tasks"), "another provider's replies");
        assertFalse(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.coordinators.*.to.*.tasks"));
        assertFalse(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.coordinators.#"));
        assertFalse(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.providers.*.presence"), "other providers' presence");
        assertFalse(RabbitAcl.mayRead(Scope.DEVICE, "p1", "daig.v1.providers.p2.tasks.request"));
        assertFalse(RabbitAcl.mayRead(Scope.DEVICE, "p1", "#"));
        assertFalse(RabbitAcl.mayRead(Scope.DEVICE, "p1", "*.*.coordinators.*.presence"));
        assertTrue(RabbitAcl.mayRead(Scope.SERVICE, "coordinator-x", "daig.v1.providers.*.presence"));
    }

    @Test
    void clientIdsWithADotAreRefusedBecauseRabbitMqCannotTellThemApart() {
        // providers/p1.x/presence and providers/p1/x/presence are both daig.v1.providers.p1.x.presence there
        assertFalse(RabbitAcl.acceptableUser("p1.x"));
        assertFalse(RabbitAcl.mayWrite(Scope.DEVICE, "p1.x", "daig.v1.providers.p1.x.presence"));
        assertFalse(RabbitAcl.acceptableUser("p1/x"));
        assertFalse(RabbitAcl.acceptableUser(""));
        assertFalse(RabbitAcl.acceptableUser(null));
        assertTrue(RabbitAcl.acceptableUser("provider-box-1a2b3c"));
    }

    @Test
    void onlyTheTopicExchangeAndItsOwnSubscriptionQueues() {
        assertTrue(RabbitAcl.mayUse("p1", "exchange", "amq.topic", "write"));
        assertTrue(RabbitAcl.mayUse("p1", "exchange", "amq.topic", "read"));
        assertFalse(RabbitAcl.mayUse("p1", "exchange", "amq.topic", "configure"));
        assertFalse(RabbitAcl.mayUse("p1", "exchange", "amq.direct", "write"));
        assertTrue(RabbitAcl.mayUse("p1", "queue", "mqtt-subscription-p1qos1", "configure"));
        assertTrue(RabbitAcl.mayUse("p1", "queue", "mqtt-subscription-p1qos0", "read"));
        assertFalse(RabbitAcl.mayUse("p1", "queue", "mqtt-subscription-p2qos1", "read"), "another client's queue");
        assertFalse(RabbitAcl.mayUse("p1", "queue", "mqtt-subscription-p1qos1x", "read"));
        assertFalse(RabbitAcl.mayUse("p1", "queue", "mqtt-subscription-p1qos1", "delete"));
        assertFalse(RabbitAcl.mayUse("p1", "topic", "amq.topic", "write"));
    }
}
