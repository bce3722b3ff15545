package org.daig.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With the in-process route, a filter that may match a presence topic ({role}s/{clientId}/presence)
 * stays on the network connection: the broker's last wills reach network subscribers only, and a
 * coordinator that missed a provider's will would keep its leases until they lapse.
 */
class RouteSplitTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "providers/+/presence, true",
        "coordinators/c1/presence, true",
        "providers/+/+, true",
        "providers/#, true",
        "#, true",
        "+/+/presence/#, true",
        "providers/+/tasks/+, false",
        "providers/+/info, false",
        "coordinators/+/to/p1/tasks, false",
        "providers/+/presence/extra, false",
        "providers/+, false",
        "providers/p1/info/#, false" })
    void filtersThatMayMatchAPresenceTopicStayOnTheConnection(String filter, boolean presence) {
        assertEquals(presence, MqttMessageBus.mayMatchPresence(filter), filter);
    }
}
