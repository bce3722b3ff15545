package org.daig.experts.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

import org.daig.experts.Expert;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Hosts that callers cannot reach: the host has no listening socket at all, it only connects out to
 * the relay; callers reach its experts through the relay with the same calls. Both sides must show the
 * relay's token first; a caller with the wrong experts' token fails alone; a host that leaves fails
 * its calls at once and is reached again when it comes back.
 */
class ExpertRelayTest {

    private static final byte[] TOKEN = "the-experts-token".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RELAY_TOKEN = "the-relay-token".getBytes(StandardCharsets.UTF_8);
    private static final ExpertUid UID = ExpertUid.parse("ffn.1.2");

    private static ExpertRelay relay() {
        return new ExpertRelay(RelayAccess.sharedToken(RELAY_TOKEN), 1 << 20, ServerSocketFactory.getDefault());
    }

    private static ExpertClient client(byte[] token, byte[] relayToken) {
        return new ExpertClient(token, 5_000, 5_000, 1 << 20, relayToken, SocketFactory.getDefault());
    }

    /** Waits for a condition the relay's own threads make true (polled, with a deadline). */
    private static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "not within 5 s: " + what);
            Thread.onSpinWait();
        }
    }

    @Test
    void aHostThatOnlyConnectsOutIsCalledThroughTheRelay() throws Exception {
        ExpertServerTest.Linear block = new ExpertServerTest.Linear();
        try (ExpertRelay relay = relay(); ExpertServer host = new ExpertServer(Map.of(UID, block), TOKEN, 64);
                ExpertClient client = client(TOKEN, RELAY_TOKEN)) {
            int port = relay.start("127.0.0.1", 0);
            host.serveThrough("127.0.0.1:" + port, RELAY_TOKEN, "volunteer-7", SocketFactory.getDefault(), 1 << 20);
            assertEquals(1, relay.hosts());
            Expert e = client.connect(UID, "relay:127.0.0.1:" + port + "/volunteer-7");
            Tensor x = new Tensor(new int[] {2, 2}, new float[] {1, 0, 0.5f, -1});
            assertArrayEquals(new float[] {1, 2, 3, -3.5f, -4, -4.5f}, e.forward(x).get(5, TimeUnit.SECONDS).data());
            Tensor g = new Tensor(new int[] {2, 3}, new float[] {1, 0, 0, 0, 0, 1});
            assertArrayEquals(new float[] {1, 4, 3, 6}, e.backward(x, g).get(5, TimeUnit.SECONDS).data());
            assertArrayEquals(new float[] {0.5f, 2, 2.75f, 4, 5, 6.5f}, e.parameters().get(5, TimeUnit.SECONDS), "one step, read back");
            assertEquals(3, host.served());
            assertEquals(3, relay.relayed());
        }
    }

    @Test
    void aWrongRelayTokenIsRefusedAtTheHelloOnBothSides() throws Exception {
        ExpertServerTest.Linear block = new ExpertServerTest.Linear();
        try (ExpertRelay relay = relay(); ExpertServer intruder = new ExpertServer(Map.of(UID, new ExpertServerTest.Linear()), TOKEN, 64);
                ExpertServer host = new ExpertServer(Map.of(UID, block), TOKEN, 64);
                ExpertClient stranger = client(TOKEN, "guessed".getBytes(StandardCharsets.UTF_8))) {
            String at = "127.0.0.1:" + relay.start("127.0.0.1", 0);
            IOException refused = assertThrows(IOException.class,
                    () -> intruder.serveThrough(at, "guessed".getBytes(StandardCharsets.UTF_8), "volunteer-7", SocketFactory.getDefault(), 1 << 20));
            assertTrue(refused.getMessage().contains("refused: wrong relay token"), refused.getMessage());
            assertEquals(0, relay.hosts(), "the intruder holds no name");
            host.serveThrough(at, RELAY_TOKEN, "volunteer-7", SocketFactory.getDefault(), 1 << 20);
            Tensor x = new Tensor(new int[] {1, 2}, new float[] {1, 1});
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> stranger.connect(UID, "relay:" + at + "/volunteer-7").backward(x, new Tensor(new int[] {1, 3}, new float[3])).get(5,
                            TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("refused: wrong relay token"), e.getCause().getMessage());
            assertEquals(2, relay.refused());
            assertEquals(0, block.forwards + block.backwards, "nothing reached the host's expert");
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, block.w);
        }
    }

    @Test
    void aCallerWithTheWrongExpertsTokenFailsAloneAndTheHostsLinkStays() throws Exception {
        ExpertServerTest.Linear block = new ExpertServerTest.Linear();
        try (ExpertRelay relay = relay(); ExpertServer host = new ExpertServer(Map.of(UID, block), TOKEN, 64);
                ExpertClient good = client(TOKEN, RELAY_TOKEN);
                ExpertClient bad = client("not-the-experts-token".getBytes(StandardCharsets.UTF_8), RELAY_TOKEN)) {
            String at = "relay:127.0.0.1:" + relay.start("127.0.0.1", 0) + "/volunteer-7";
            host.serveThrough(at.substring(6, at.indexOf('/')), RELAY_TOKEN, "volunteer-7", SocketFactory.getDefault(), 1 << 20);
            Tensor x = new Tensor(new int[] {1, 2}, new float[] {1, 1});
            Tensor g = new Tensor(new int[] {1, 3}, new float[] {1, 1, 1});
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.connect(UID, at).backward(x, g).get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("refused: wrong token"), e.getCause().getMessage());
            assertEquals(1, host.refused());
            assertEquals(0, block.backwards);
            ExecutionException tooMany = assertThrows(ExecutionException.class,
                    () -> good.connect(UID, at).forward(new Tensor(new int[] {65, 2}, new float[130])).get(5, TimeUnit.SECONDS));
            assertTrue(tooMany.getCause().getMessage().contains("65 rows in one call, at most 64"), tooMany.getCause().getMessage());
            assertArrayEquals(new float[] {5, 7, 9}, good.connect(UID, at).forward(x).get(5, TimeUnit.SECONDS).data(),
                    "the same link serves the next caller");
            assertEquals(1, relay.hosts());
        }
    }

    @Test
    void aHostThatLeavesFailsItsCallsAtOnceAndIsReachedAgainWhenItComesBack() throws Exception {
        try (ExpertRelay relay = relay(); ExpertClient client = client(TOKEN, RELAY_TOKEN)) {
            String at = "127.0.0.1:" + relay.start("127.0.0.1", 0);
            Expert e = client.connect(UID, "relay:" + at + "/volunteer-7");
            Tensor x = new Tensor(new int[] {1, 2}, new float[] {1, 0});
            try (ExpertServer host = new ExpertServer(Map.of(UID, new ExpertServerTest.Linear()), TOKEN, 64)) {
                host.serveThrough(at, RELAY_TOKEN, "volunteer-7", SocketFactory.getDefault(), 1 << 20);
                assertArrayEquals(new float[] {1, 2, 3}, e.forward(x).get(5, TimeUnit.SECONDS).data());
            }
            await(() -> relay.hosts() == 0, "the relay sees the host leave");
            ExecutionException gone = assertThrows(ExecutionException.class, () -> e.forward(x).get(5, TimeUnit.SECONDS));
            assertTrue(gone.getCause().getMessage().contains("no host volunteer-7 at this relay now"), gone.getCause().getMessage());
            try (ExpertServer back = new ExpertServer(Map.of(UID, new ExpertServerTest.Linear()), TOKEN, 64)) {
                back.serveThrough(at, RELAY_TOKEN, "volunteer-7", SocketFactory.getDefault(), 1 << 20);
                assertArrayEquals(new float[] {1, 2, 3}, e.forward(x).get(5, TimeUnit.SECONDS).data(), "the caller's link to the relay stayed");
            }
        }
    }
}
