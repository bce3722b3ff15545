package org.daig.trainer.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.TrainerClient.HostRequest;
import org.daig.api.trainer.TrainerClient.HostedParameters;
import org.daig.api.trainer.TrainerClient.Hosting;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerException;
import org.daig.experts.Expert;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.dht.Stored;
import org.daig.experts.dht.UdpNode;
import org.daig.experts.net.ExpertClient;
import org.daig.experts.net.ExpertRelay;
import org.daig.experts.net.RelayAccess;
import org.daig.trainer.experts.ExpertBlock;
import org.daig.trainer.launcher.ProcessWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * A real worker JVM (started by the launcher, as a provider starts it) hosts experts for a trainer in
 * this JVM: found through the worker's DHT peer over UDP, called over TCP with the token, giving what
 * the same block computes here; its parameters come back in cell order, a second hosting starts from
 * them, a wrong token changes nothing, and after stop-hosting the experts are gone.
 */
class WorkerHostingTest {

    private static final String TOKEN = "token-of-the-hosting-test";
    private static final List<String> CELLS = List.of("ffn.0.0", "ffn.0.1");

    private Worker worker;

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
    }

    private static Worker start() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> entries = Arrays.stream(classPath.split(File.pathSeparator)).map(Path::of).toList();
        return ProcessWorker.start(new ProcessWorker.Options(Path.of(System.getProperty("java.home"), "bin", "java"), entries, "512m", 1, true,
                Path.of("target/worker")));
    }

    private static HostRequest request() {
        return new HostRequest(CELLS, 6, 8, "sgd", 0.1, 5, TOKEN, "127.0.0.1", 0, null, 0, null, 5_000, 256);
    }

    /** The block the worker hosts for ffn.0.1: seed 5 + the cell's place (1), plain SGD at 0.1. */
    private static ExpertBlock sameBlockHere() {
        return new ExpertBlock(6, 8, 6, new Sgd(0.1), 6);
    }

    @Test
    void aWorkerHostsExpertsThatATrainerFindsAndTrainsAndItsParametersComeBack() throws Exception {
        worker = start();
        TrainerClient client = new TrainerClient(worker);
        Hosting hosting = client.hostExperts(request(), new float[0]);
        assertEquals(2, hosting.experts());
        assertEquals("127.0.0.1:" + hosting.port(), hosting.announced());
        ExpertUid uid = ExpertUid.parse("ffn.0.1");
        ExpertBlock here = sameBlockHere();
        Tensor x = new Tensor(new int[] {3, 6}, new float[] {1, 2, 3, 4, 5, 6, -1, 0, 1, 0, -1, 0, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
        Tensor g = new Tensor(new int[] {3, 6}, new float[] {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0});
        try (UdpNode trainer = UdpNode.start("127.0.0.1", 0, 2_000, TOKEN.getBytes(StandardCharsets.UTF_8));
                ExpertClient calls = new ExpertClient(TOKEN.getBytes(StandardCharsets.UTF_8), 10_000, 10_000, 1 << 20)) {
            trainer.join(hosting.dht()).get(10, TimeUnit.SECONDS);
            Map<String, Stored> found = trainer.node().get(uid.toString()).get(10, TimeUnit.SECONDS);
            assertEquals(hosting.announced(), found.get("").value(), "the DHT names the worker's expert server");
            Expert remote = calls.connect(uid, found.get("").value());
            assertArrayEquals(here.forward(x).data(), remote.forward(x).get(10, TimeUnit.SECONDS).data(), 1e-6f, "forward");
            assertArrayEquals(here.backward(x, g).data(), remote.backward(x, g).get(10, TimeUnit.SECONDS).data(), 1e-6f, "backward");
        }
        HostedParameters params = client.expertParameters();
        assertEquals(CELLS, params.cells());
        assertEquals(2, params.served());
        int perCell = params.values().length / 2;
        assertEquals(6 * 8 + 8 + 8 * 6 + 6, perCell);
        assertArrayEquals(here.parameters(), Arrays.copyOfRange(params.values(), perCell, 2 * perCell), 1e-6f,
                "ffn.0.1 after the step, second in cell order");

        // a provider that hosts these cells again starts from the checkpoint, not from the seed
        Hosting again = client.hostExperts(request(), params.values());
        try (ExpertClient calls = new ExpertClient(TOKEN.getBytes(StandardCharsets.UTF_8), 10_000, 10_000, 1 << 20)) {
            Expert remote = calls.connect(uid, again.announced());
            assertArrayEquals(here.forward(x).data(), remote.forward(x).get(10, TimeUnit.SECONDS).data(), 1e-6f, "forward after restart");
        }
        assertArrayEquals(params.values(), client.expertParameters().values(), "a forward call takes no step");
    }

    @Test
    void aWrongTokenChangesNothingAndStoppedExpertsAreGone() throws Exception {
        worker = start();
        TrainerClient client = new TrainerClient(worker);
        Hosting hosting = client.hostExperts(request(), new float[0]);
        float[] before = client.expertParameters().values();
        ExpertUid uid = ExpertUid.parse("ffn.0.0");
        Tensor x = new Tensor(new int[] {1, 6}, new float[] {1, 1, 1, 1, 1, 1});
        try (ExpertClient intruder = new ExpertClient("not-the-token".getBytes(StandardCharsets.UTF_8), 10_000, 10_000, 1 << 20)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> intruder.connect(uid, hosting.announced()).backward(x, x).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("refused: wrong token"), e.getCause().getMessage());
        }
        HostedParameters after = client.expertParameters();
        assertArrayEquals(before, after.values());
        assertEquals(1, after.refused());
        assertEquals(0, after.served());

        client.stopHosting();
        try (ExpertClient calls = new ExpertClient(TOKEN.getBytes(StandardCharsets.UTF_8), 10_000, 10_000, 1 << 20)) {
            assertThrows(ExecutionException.class, () -> calls.connect(uid, hosting.announced()).forward(x).get(10, TimeUnit.SECONDS),
                    "the port is closed");
        }
        WorkerException none = assertThrows(WorkerException.class, client::expertParameters);
        assertTrue(none.getMessage().contains("no experts are hosted"), none.getMessage());
        WorkerException bad = assertThrows(WorkerException.class, () -> client.hostExperts(new HostRequest(CELLS, 6, 8, "rmsprop", 0.1, 5,
                TOKEN, "127.0.0.1", 0, null, 0, null, 5_000, 256), new float[0]));
        assertTrue(bad.getMessage().contains("optimizer must be adam, sgd or momentum"), bad.getMessage());
        assertEquals("CpuBackend", client.hello().backend(), "the worker answers on after a refused request");
    }

    @Test
    void aWorkerBehindNatServesThroughTheRelayAndStaysOutOfRoutingTables() throws Exception {
        byte[] relayToken = "relay-token-of-the-test".getBytes(StandardCharsets.UTF_8);
        worker = start();
        TrainerClient client = new TrainerClient(worker);
        try (ExpertRelay relay = new ExpertRelay(RelayAccess.sharedToken(relayToken), 1 << 20, ServerSocketFactory.getDefault());
                UdpNode trainer = UdpNode.start("127.0.0.1", 0, 2_000, TOKEN.getBytes(StandardCharsets.UTF_8));
                ExpertClient calls = new ExpertClient(TOKEN.getBytes(StandardCharsets.UTF_8), 10_000, 10_000, 1 << 20, relayToken,
                        SocketFactory.getDefault())) {
            String at = "127.0.0.1:" + relay.start("127.0.0.1", 0);
            Hosting hosting = client.hostExperts(new HostRequest(CELLS, 6, 8, "sgd", 0.1, 5, TOKEN, "127.0.0.1", 0, null, 0,
                    trainer.address(), 5_000, 256, new TrainerClient.HostRelay(at, new String(relayToken, StandardCharsets.UTF_8), "prov-7",
                            null)), new float[0]);
            assertEquals(0, hosting.port(), "no listening socket");
            assertEquals("relay:" + at + "/prov-7", hosting.announced());
            Map<String, Stored> found = trainer.node().get("ffn.0.1").get(10, TimeUnit.SECONDS);
            assertEquals(hosting.announced(), found.get("").value(), "the DHT names the relay address");
            Tensor x = new Tensor(new int[] {1, 6}, new float[] {1, 2, 3, 4, 5, 6});
            assertArrayEquals(sameBlockHere().forward(x).data(), calls.connect(ExpertUid.parse("ffn.0.1"), found.get("").value()).forward(x)
                    .get(10, TimeUnit.SECONDS).data(), 1e-6f, "forward through the relay");
            assertEquals(0, trainer.node().knownPeers(), "the worker's DHT peer is in client mode: nobody keeps it as a contact");
            assertEquals(1, relay.hosts());
        }
    }
}
