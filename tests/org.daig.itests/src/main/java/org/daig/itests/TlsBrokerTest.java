package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Set;

import org.daig.api.bus.Topics;
import org.daig.tls.ServerKeystore;
import org.daig.tls.ServerTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceRegistration;

/**
 * MQTT over TLS on the embedded broker, with the certificate the coordinator generates: a bus
 * pins it on first contact and connects; when another certificate is presented (someone posing
 * as the broker, or a replaced certificate) the bus refuses to connect and says why, naming both
 * fingerprints.
 */
class TlsBrokerTest {

    private final Grid grid = new Grid();
    private ServiceRegistration<ServerTls> tls;

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        grid.close();
        if (tls != null) {
            tls.unregister();
        }
    }

    @Test
    void aBusPinsTheBrokersCertificateAndRefusesAnother() throws Exception {
        ServerKeystore genuine = ServerKeystore.generated(tmp.resolve("genuine"), "grid", Set.of("localhost", "127.0.0.1"));
        ServerKeystore impostor = ServerKeystore.generated(tmp.resolve("impostor"), "grid", Set.of("localhost", "127.0.0.1"));
        tls = grid.context.registerService(ServerTls.class, genuine, new Hashtable<>());
        int tlsPort = Grid.freePort();
        String plain = grid.embeddedBroker("tlsPort", tlsPort);
        String secure = "ssl://127.0.0.1:" + tlsPort;
        Path pin = tmp.resolve("known-coordinators").resolve("127.0.0.1_" + tlsPort);

        grid.bus(Topics.COORDINATOR, "coord-tls", secure, "trustFile", pin.toString());
        grid.awaitConnected("coord-tls");
        assertEquals(genuine.fingerprint(), Files.readString(pin).trim(), "pinned on first contact");
        assertFalse(plain.isEmpty());

        try (LogCapture log = new LogCapture()) {
            tls.unregister();
            tls = grid.context.registerService(ServerTls.class, impostor, new Hashtable<>()); // the broker restarts with it
            grid.bus(Topics.PROVIDER, "prov-tls", secure, "trustFile", pin.toString());
            log.await("prov-tls", "certificate changed", genuine.fingerprint(), impostor.fingerprint());
            assertFalse(grid.bus("prov-tls").map(b -> b.isConnected()).orElse(false), "no connection to a broker with another certificate");
        }
        assertEquals(genuine.fingerprint(), Files.readString(pin).trim(), "the pin stays");
    }
}
