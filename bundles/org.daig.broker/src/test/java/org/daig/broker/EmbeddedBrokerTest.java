package org.daig.broker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EmbeddedBrokerTest {

    @Test
    void theBrokerRunsOnlyWhenTheConnectionPointsAtItsLoopbackPort() {
        assertTrue(EmbeddedBroker.pointsAt("tcp://127.0.0.1:1883", 1883, 8883));
        assertTrue(EmbeddedBroker.pointsAt("tcp://localhost:1883", 1883, 8883));
        assertTrue(EmbeddedBroker.pointsAt("tcp://localhost", 1883, 8883));
        assertFalse(EmbeddedBroker.pointsAt("tcp://127.0.0.1:1884", 1883, 8883), "another local broker");
        assertFalse(EmbeddedBroker.pointsAt("tcp://broker.example.org:1883", 1883, 8883), "an external broker");
        assertFalse(EmbeddedBroker.pointsAt("ssl://127.0.0.1:1883", 1883, 8883), "TLS on the plain port");
        assertTrue(EmbeddedBroker.pointsAt("ssl://127.0.0.1:8883", 1883, 8883), "its TLS listener");
        assertTrue(EmbeddedBroker.pointsAt("ssl://localhost", 1883, 8883), "its TLS listener on the default port");
        assertFalse(EmbeddedBroker.pointsAt("ssl://broker.example.org:8883", 1883, 8883), "an external TLS broker");
        assertFalse(EmbeddedBroker.pointsAt("not a url", 1883, 8883));
    }
}
