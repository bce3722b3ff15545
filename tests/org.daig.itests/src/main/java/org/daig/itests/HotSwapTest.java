package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * The design's promise: the transport and the provider can be stopped, updated and started while
 * everything else keeps running, and presence recovers by itself.
 */
class HotSwapTest {

    private final Grid grid = new Grid();

    @AfterEach
    void tearDown() throws Exception {
        for (String name : new String[] { "org.daig.transport.mqtt", "org.daig.provider" }) {
            Bundle b = grid.bundle(name);
            if (b.getState() != Bundle.ACTIVE) {
                b.start();
            }
        }
        grid.close();
    }

    @Test
    void restartingTheTransportBundleRestoresPresence() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-swap1", url);
        grid.bus(Topics.PROVIDER, "prov-swap1", url);
        long before = grid.awaitProviderServing("prov-swap1").lastSeen();

        Bundle transport = grid.bundle("org.daig.transport.mqtt");
        transport.stop();
        Grid.await("no bus left", () -> grid.service(MessageBus.class, null).isEmpty());
        transport.start();

        grid.awaitConnected("coord-swap1");
        Grid.await("provider re-announced after the transport restart",
                () -> grid.provider("prov-swap1").map(p -> p.online() && p.machine() != null && p.lastSeen() > before).orElse(false));
    }

    @Test
    void updatingTheTransportBundleInPlaceRestoresPresence() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-swap2", url);
        grid.bus(Topics.PROVIDER, "prov-swap2", url);
        long before = grid.awaitProviderServing("prov-swap2").lastSeen();
        Bundle transport = grid.bundle("org.daig.transport.mqtt");
        long oldId = transport.getBundleId();

        transport.update(); // re-reads the bundle from its location: a new class loader, same services
        grid.context.getBundle(0).adapt(org.osgi.framework.wiring.FrameworkWiring.class).refreshBundles(java.util.List.of(transport));

        Grid.await("transport active again", () -> transport.getState() == Bundle.ACTIVE);
        assertEquals(oldId, transport.getBundleId());
        grid.awaitConnected("prov-swap2");
        Grid.await("provider re-announced after the transport update",
                () -> grid.provider("prov-swap2").map(p -> p.online() && p.machine() != null && p.lastSeen() > before).orElse(false));
    }

    @Test
    void restartingTheProviderBundleWithdrawsAndRestoresItsAnnouncement() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-swap3", url);
        grid.bus(Topics.PROVIDER, "prov-swap3", url);
        grid.awaitProviderServing("prov-swap3");
        MessageBus providerBus = grid.awaitConnected("prov-swap3");

        Bundle provider = grid.bundle("org.daig.provider");
        provider.stop();
        Grid.await("the coordinator sees the provider service gone",
                () -> grid.provider("prov-swap3").map(p -> p.machine() == null).orElse(false));
        assertTrue(providerBus.isConnected(), "the connection itself was not touched");

        provider.start();
        grid.awaitProviderServing("prov-swap3");
    }
}
