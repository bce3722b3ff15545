package org.daig.experts.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.daig.experts.Expert;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.TensorFrame;
import org.junit.jupiter.api.Test;

/** The expert calls over real TCP sockets, with a small linear expert in plain Java. */
class ExpertServerTest {

    private static final byte[] TOKEN = "the-shared-token".getBytes(StandardCharsets.UTF_8);
    private static final ExpertUid UID = ExpertUid.parse("ffn.1.2");

    /** y = x W (2 → 3); backward answers g Wᵀ and steps W -= 0.5 xᵀ g. */
    static final class Linear implements ExpertServer.Block {
        final float[] w = {1, 2, 3, 4, 5, 6};
        int forwards;
        int backwards;

        @Override
        public int inputs() {
            return 2;
        }

        @Override
        public int outputs() {
            return 3;
        }

        @Override
        public synchronized Tensor forward(Tensor x) {
            forwards++;
            return new Tensor(new int[] {x.dimension(0), 3}, mul(x.data(), x.dimension(0)));
        }

        @Override
        public synchronized Tensor backward(Tensor x, Tensor g) {
            backwards++;
            int n = x.dimension(0);
            float[] dx = new float[n * 2];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < 2; i++) {
                    for (int o = 0; o < 3; o++) {
                        dx[r * 2 + i] += g.data()[r * 3 + o] * w[i * 3 + o];
                    }
                }
            }
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < 2; i++) {
                    for (int o = 0; o < 3; o++) {
                        w[i * 3 + o] -= 0.5f * x.data()[r * 2 + i] * g.data()[r * 3 + o];
                    }
                }
            }
            return new Tensor(new int[] {n, 2}, dx);
        }

        @Override
        public synchronized float[] parameters() {
            return w.clone();
        }

        float[] mul(float[] x, int n) {
            float[] y = new float[n * 3];
            for (int r = 0; r < n; r++) {
                for (int o = 0; o < 3; o++) {
                    y[r * 3 + o] = x[r * 2] * w[o] + x[r * 2 + 1] * w[3 + o];
                }
            }
            return y;
        }
    }

    @Test
    void forwardAndBackwardOverASocketAnswerWhatTheBlockComputes() throws Exception {
        Linear block = new Linear();
        try (ExpertServer server = new ExpertServer(Map.of(UID, block), TOKEN, 64);
                ExpertClient client = new ExpertClient(TOKEN, 5_000, 5_000, 1 << 20)) {
            int port = server.start("127.0.0.1", 0);
            Expert e = client.connect(UID, "127.0.0.1:" + port);
            Tensor x = new Tensor(new int[] {2, 2}, new float[] {1, 0, 0.5f, -1});
            assertArrayEquals(new float[] {1, 2, 3, -3.5f, -4, -4.5f}, e.forward(x).get(5, TimeUnit.SECONDS).data());
            Tensor g = new Tensor(new int[] {2, 3}, new float[] {1, 0, 0, 0, 0, 1});
            assertArrayEquals(new float[] {1, 4, 3, 6}, e.backward(x, g).get(5, TimeUnit.SECONDS).data());
            assertArrayEquals(new float[] {0.5f, 2, 2.75f, 4, 5, 6.5f}, block.w, 1e-6f, "one step of W -= 0.5 x^T g");
            assertEquals(2, server.served());
            assertEquals(0, server.refused());
        }
    }

    @Test
    void theParametersCallAnswersTheExpertsVectorAndNeedsTheToken() throws Exception {
        Linear block = new Linear();
        try (ExpertServer server = new ExpertServer(Map.of(UID, block), TOKEN, 64);
                ExpertClient client = new ExpertClient(TOKEN, 5_000, 5_000, 1 << 20);
                ExpertClient intruder = new ExpertClient("guess".getBytes(StandardCharsets.UTF_8), 5_000, 5_000, 1 << 20)) {
            String address = "127.0.0.1:" + server.start("127.0.0.1", 0);
            Expert e = client.connect(UID, address);
            e.backward(new Tensor(new int[] {1, 2}, new float[] {1, 0}), new Tensor(new int[] {1, 3}, new float[] {1, 0, 0})).get(5,
                    TimeUnit.SECONDS);
            assertArrayEquals(new float[] {0.5f, 2, 3, 4, 5, 6}, e.parameters().get(5, TimeUnit.SECONDS), "the vector after the step");
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> intruder.connect(UID, address).parameters().get(5, TimeUnit.SECONDS));
            assertTrue(refused.getCause().getMessage().contains("refused: wrong token"), refused.getCause().getMessage());
            assertEquals(1, server.refused());
        }
    }

    @Test
    void queuedCallsToOneExpertAreBatchedAndEachCallerGetsItsOwnRows() throws Exception {
        Linear block = new Linear();
        try (ExpertServer server = new ExpertServer(Map.of(UID, block), TOKEN, 64);
                ExpertClient client = new ExpertClient(TOKEN, 5_000, 5_000, 1 << 20)) {
            Expert e = client.connect(UID, "127.0.0.1:" + server.start("127.0.0.1", 0));
            List<CompletableFuture<Tensor>> calls = new ArrayList<>();
            synchronized (block) { // holds the expert's thread at its first call, so the others queue behind it
                for (int i = 0; i < 20; i++) {
                    calls.add(e.forward(new Tensor(new int[] {1, 2}, new float[] {i, 1})));
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (server.queued() < 20 && System.nanoTime() < end) {
                    Thread.onSpinWait(); // waits for the condition itself: all 20 calls in the server's queue
                }
                assertEquals(20, server.queued());
            }
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(block.mul(new float[] {i, 1}, 1), calls.get(i).get(5, TimeUnit.SECONDS).data(), "call " + i);
            }
            assertEquals(20, server.served());
            // the calls that arrived while the expert's thread waited run in one pass: two passes at most
            // (one, if all 20 were in the queue before the thread woke)
            assertTrue(server.batches() <= 2, "passes " + server.batches());
            assertEquals(server.batches(), block.forwards);
        }
    }

    @Test
    void aWrongTokenIsRefusedBeforeAnyTensorIsRead() throws Exception {
        Linear block = new Linear();
        float[] before = block.w.clone();
        try (ExpertServer server = new ExpertServer(Map.of(UID, block), TOKEN, 64);
                ExpertClient intruder = new ExpertClient("not-the-token".getBytes(StandardCharsets.UTF_8), 5_000, 5_000, 1 << 20)) {
            Expert e = intruder.connect(UID, "127.0.0.1:" + server.start("127.0.0.1", 0));
            Tensor x = new Tensor(new int[] {1, 2}, new float[] {1, 1});
            ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> e.backward(x, new Tensor(new int[] {1, 3}, new float[] {1, 1, 1})).get(5, TimeUnit.SECONDS));
            assertTrue(ex.getCause().getMessage().contains("refused: wrong token"), ex.getCause().getMessage());
            assertEquals(1, server.refused());
            assertEquals(0, server.served());
            assertEquals(0, block.forwards + block.backwards);
            assertArrayEquals(before, block.w);
        }
    }

    @Test
    void aFrameOverTheCapIsRefusedBeforeItsPayloadIsSent() throws Exception {
        try (ExpertServer server = new ExpertServer(Map.of(UID, new Linear()), TOKEN, 64);
                Socket s = new Socket("127.0.0.1", server.start("127.0.0.1", 0))) {
            s.setSoTimeout(5_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            ExpertWire.writeRequestHeader(out, ExpertWire.FORWARD, 42, TOKEN, UID.toString());
            // a frame header for [100,000,000 x 2] floats (800 MB), and not one byte of its payload
            ByteBuffer h = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(TensorFrame.MAGIC).put(TensorFrame.VERSION).put(TensorFrame.DTYPE_FLOAT32).put((byte) 2).put((byte) 0);
            h.putInt(100_000_000).putInt(2).putInt(800_000_000);
            out.write(h.array());
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            ExpertWire.ResponseHeader r = ExpertWire.readResponseHeader(in);
            assertEquals(ExpertWire.ERROR, r.status());
            assertEquals(42, r.callId());
            assertTrue(r.message().contains("over the cap of 512 payload bytes"), r.message());
            assertEquals(-1, in.read(), "the server closes the connection");
        }
    }

    @Test
    void aServerThatStopsAnsweringTimesOutAndOneThatIsGoneFailsAtOnce() throws Exception {
        try (ServerSocket blackHole = new ServerSocket(0); ExpertClient client = new ExpertClient(TOKEN, 300, 300, 1 << 20)) {
            Expert silent = client.connect(UID, "127.0.0.1:" + blackHole.getLocalPort()); // accepts (backlog), never answers
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> silent.forward(new Tensor(new int[] {1, 2}, new float[2])).get(5, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause());
            int port;
            try (ServerSocket gone = new ServerSocket(0)) {
                port = gone.getLocalPort();
            }
            Expert dead = client.connect(UID, "127.0.0.1:" + port);
            e = assertThrows(ExecutionException.class, () -> dead.forward(new Tensor(new int[] {1, 2}, new float[2])).get(5, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, e.getCause(), "refused, not timed out: " + e.getCause());
        }
    }

    @Test
    void aWrongShapeFailsThatCallOnlyAndGarbageClosesTheConnection() throws Exception {
        try (ExpertServer server = new ExpertServer(Map.of(UID, new Linear()), TOKEN, 64);
                ExpertClient client = new ExpertClient(TOKEN, 5_000, 5_000, 1 << 20)) {
            int port = server.start("127.0.0.1", 0);
            Expert e = client.connect(UID, "127.0.0.1:" + port);
            ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> e.forward(new Tensor(new int[] {1, 5}, new float[5])).get(5, TimeUnit.SECONDS));
            assertTrue(ex.getCause().getMessage().contains("inputs have shape [1, 5], expected [rows, 2]"), ex.getCause().getMessage());
            assertEquals(3, e.forward(new Tensor(new int[] {1, 2}, new float[] {1, 0})).get(5, TimeUnit.SECONDS).data().length,
                    "the same connection goes on");
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, s.getInputStream().read(), "a connection that does not speak the protocol is closed");
            }
            Expert other = client.connect(ExpertUid.parse("ffn.0.0"), "127.0.0.1:" + port);
            ex = assertThrows(ExecutionException.class, () -> other.forward(new Tensor(new int[] {1, 2}, new float[2])).get(5, TimeUnit.SECONDS));
            assertTrue(ex.getCause().getMessage().contains("no expert ffn.0.0 on this server"), ex.getCause().getMessage());
        }
    }
}
