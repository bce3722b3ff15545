package org.daig.trainer.experts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.daig.experts.Expert;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.experts.dht.LocalDirectory;
import org.daig.experts.gate.BeamSearch;
import org.daig.experts.gate.NegativeCache;
import org.daig.experts.net.ExpertClient;
import org.daig.experts.net.ExpertServer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Expert blocks behind a real TCP socket: the same numbers as in-process, the token, and hosts that die. */
class RemoteExpertTest {

    private static final byte[] TOKEN = "token-of-this-test".getBytes(StandardCharsets.UTF_8);
    private static final ExpertUid UID = ExpertUid.parse("ffn.2.3");

    @Test
    void forwardAndBackwardOverASocketMatchTheBlockInProcess() throws Exception {
        ExpertBlock served = new ExpertBlock(6, 16, 5, 1e-2, 42);
        ExpertBlock here = new ExpertBlock(6, 16, 5, 1e-2, 42);
        Tensor x = MoeFixtures.tensor(MoeFixtures.gaussian(1, DataType.FLOAT, 7, 6));
        Tensor g = MoeFixtures.tensor(MoeFixtures.gaussian(2, DataType.FLOAT, 7, 5));
        try (ExpertServer server = new ExpertServer(Map.of(UID, served), TOKEN, 256);
                ExpertClient client = new ExpertClient(TOKEN, 10_000, 10_000, 1 << 20)) {
            Expert remote = client.connect(UID, "127.0.0.1:" + server.start("127.0.0.1", 0));
            for (int step = 0; step < 3; step++) {
                assertArrayEquals(here.forward(x).data(), remote.forward(x).get(10, TimeUnit.SECONDS).data(), 1e-6f, "forward " + step);
                assertArrayEquals(here.backward(x, g).data(), remote.backward(x, g).get(10, TimeUnit.SECONDS).data(), 1e-6f,
                        "backward " + step);
            }
            assertArrayEquals(here.parameters(), served.parameters(), 1e-6f, "the same three optimizer steps");
            assertEquals(3, served.steps());
        }
    }

    @Test
    void aWrongTokenIsRefusedAndTheExpertIsUnchanged() throws Exception {
        ExpertBlock served = new ExpertBlock(6, 16, 5, 1e-2, 42);
        float[] before = served.parameters();
        Tensor x = MoeFixtures.tensor(MoeFixtures.gaussian(1, DataType.FLOAT, 4, 6));
        Tensor g = MoeFixtures.tensor(MoeFixtures.gaussian(2, DataType.FLOAT, 4, 5));
        try (ExpertServer server = new ExpertServer(Map.of(UID, served), TOKEN, 256);
                ExpertClient intruder = new ExpertClient("guessed-token".getBytes(StandardCharsets.UTF_8), 10_000, 10_000, 1 << 20)) {
            Expert remote = intruder.connect(UID, "127.0.0.1:" + server.start("127.0.0.1", 0));
            ExecutionException e = assertThrows(ExecutionException.class, () -> remote.backward(x, g).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("refused: wrong token"), e.getCause().getMessage());
            assertEquals(1, server.refused());
            assertEquals(0, server.served());
            assertEquals(0, served.steps());
            assertArrayEquals(before, served.parameters());
        }
    }

    @Test
    void expertsOnDeadHostsTimeOutOrFailAndTheLayerMasksThem() throws Exception {
        // three hosts: one serves, one was killed (its port refuses), one hangs (accepts, never answers)
        Map<ExpertUid, ExpertBlock> blocks = MoeFixtures.blocks(6, 8, 3, 1e-2, 5);
        Map<ExpertUid, ExpertBlock> live = new LinkedHashMap<>();
        for (int c = 0; c < 4; c++) {
            for (int r = 0; r < 4; r++) {
                if ((r + c) % 4 < 2) {
                    live.put(ExpertUid.of("ffn", r, c), blocks.get(ExpertUid.of("ffn", r, c)));
                }
            }
        }
        int killed;
        try (ServerSocket probe = new ServerSocket(0)) {
            killed = probe.getLocalPort();
        }
        try (ExpertServer host = new ExpertServer(live, TOKEN, 256); ServerSocket hung = new ServerSocket(0);
                ExpertClient client = new ExpertClient(TOKEN, 400, 400, 1 << 20)) {
            String hostAddress = "127.0.0.1:" + host.start("127.0.0.1", 0);
            LocalDirectory dht = new LocalDirectory();
            Map<String, String> where = new HashMap<>();
            for (ExpertUid uid : blocks.keySet()) {
                int d = (uid.coordinate(0) + uid.coordinate(1)) % 4;
                String address = d < 2 ? hostAddress : d == 2 ? "127.0.0.1:" + killed : "127.0.0.1:" + hung.getLocalPort();
                ExpertAnnouncer.announce(dht, List.of(uid), address).join();
                where.put(uid.toString(), address);
            }
            NegativeCache dead = MoeFixtures.negativeCache();
            Gate gate = new Gate(6, MoeFixtures.GRID, 1e-2, 3);
            // the layer's own timeouts are far away: what ends the calls is the client's 400 ms per call
            MixtureOfExperts moe = new MixtureOfExperts(gate, new BeamSearch(dht, MoeFixtures.GRID, dead), dead, client, 3,
                    new MixtureOfExperts.Settings(4, 4, 20_000, 20_000, 20_000), MixtureOfExperts.Deadlines.system());
            MixtureOfExperts.Pass pass = moe.forward(MoeFixtures.gaussian(9, DataType.FLOAT, 16, 6)).get(15, TimeUnit.SECONDS);
            int masked = 0;
            for (int s = 0; s < pass.batch(); s++) {
                double sum = 0;
                for (int j = 0; j < pass.chosen(s); j++) {
                    String address = where.get(pass.expert(s, j).toString());
                    assertEquals(address.equals(hostAddress), pass.answered(s, j), pass.expert(s, j) + " at " + address);
                    masked += pass.answered(s, j) ? 0 : 1;
                    sum += pass.weight(s, j);
                }
                if (sum > 0) {
                    assertEquals(1, sum, 1e-9, "weights of sample " + s);
                }
            }
            assertTrue(masked > 0, "the gate chose some experts on the dead hosts");
            for (String uid : where.keySet()) {
                boolean onDeadHost = !where.get(uid).equals(hostAddress);
                if (dead.isDead(uid)) {
                    assertTrue(onDeadHost, uid + " is in the negative cache but lives");
                }
            }
            MixtureOfExperts.Backward back = moe.backward(pass, MoeFixtures.gaussian(4, DataType.FLOAT, 16, 3)).get(15, TimeUnit.SECONDS);
            assertEquals(0, back.expertsFailed(), "only experts that answered get a backward call");
            assertFalse(back.gradInputs().isNaN().any());
        }
    }

    @Test
    void aCallToAHungHostFailsWithItsOwnTimeout() throws Exception {
        try (ServerSocket hung = new ServerSocket(0); ExpertClient client = new ExpertClient(TOKEN, 250, 250, 1 << 20)) {
            Expert e = client.connect(UID, "127.0.0.1:" + hung.getLocalPort());
            ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> e.backward(new Tensor(new int[] {1, 6}, new float[6]), new Tensor(new int[] {1, 5}, new float[5]))
                            .get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, ex.getCause());
            assertTrue(ex.getCause().getMessage().contains("did not answer within 250 ms"), ex.getCause().getMessage());
        }
    }
}
