package org.daig.experts.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.SocketFactory;

import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.TensorFrame;

/**
 * Serves forward and backward calls to the experts it hosts over TCP ({@link ExpertWire}), as
 * Learning@home's expert runtime does: each expert has one queue and one thread; requests that wait in
 * the queue are batched (consecutive ones of the same kind, up to {@code maxRows} rows in all) into one
 * forward pass or one backward pass with one optimizer step, and each caller gets its own rows back. A
 * caller must present the shared token before any tensor is read; a wrong token, an unknown expert, a
 * malformed header or a tensor over the cap ({@code maxRows} rows of the expert's width) is answered
 * with an error and the connection closed. Tensors of the wrong shape get an error for that call only.
 */
public final class ExpertServer implements AutoCloseable {

    /** What the server runs for one expert; called from that expert's thread only. */
    public interface Block {
        int inputs();

        int outputs();

        /** [rows, inputs] → [rows, outputs]. */
        Tensor forward(Tensor inputs);

        /** Backpropagates [rows, outputs] at [rows, inputs], takes one optimizer step, answers [rows, inputs]. */
        Tensor backward(Tensor inputs, Tensor gradOutputs);

        /** The parameters as one flat vector (a copy). */
        float[] parameters();
    }

    /** A queued call; {@code inputs} is null for a parameters call. */
    private record Job(byte op, long callId, Tensor inputs, Tensor gradOutputs, Connection from) {
        int rows() {
            return inputs == null ? 0 : inputs.dimension(0);
        }
    }

    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final byte[] token;
    private final int maxRows;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private volatile boolean closed;
    private ServerSocket server;
    private boolean workersStarted;
    private volatile String relayProblem;

    /** {@code maxRows}: the most rows one call (and one batch) may carry. */
    public ExpertServer(Map<ExpertUid, ? extends Block> blocks, byte[] token, int maxRows) {
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("an expert server needs at least one expert");
        }
        if (token.length == 0 || token.length > ExpertWire.MAX_TOKEN) {
            throw new IllegalArgumentException("expert server token must have 1.." + ExpertWire.MAX_TOKEN + " bytes, not " + token.length);
        }
        if (maxRows < 1) {
            throw new IllegalArgumentException("expert server max rows must be >= 1, not " + maxRows);
        }
        this.token = token.clone();
        this.maxRows = maxRows;
        blocks.forEach((uid, block) -> workers.put(uid.toString(), new Worker(uid.toString(), block)));
    }

    /** Listens on host:port (0: any free port) and starts the experts' threads; returns the port. */
    public synchronized int start(String host, int port) throws IOException {
        if (server != null) {
            throw new IllegalStateException("expert server already started on port " + server.getLocalPort());
        }
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port));
        startWorkers();
        Quietly.daemon(this::acceptLoop, "experts-accept-" + server.getLocalPort()).start();
        return server.getLocalPort();
    }

    private synchronized void startWorkers() {
        if (!workersStarted) {
            workersStarted = true;
            workers.values().forEach(Worker::start);
        }
    }

    /**
     * Serves the experts through a relay ({@link ExpertRelay}) as {@code name}, for a host that
     * callers cannot reach: connects out, says hello with {@code relayToken}, and serves the calls the
     * relay passes down, each failing alone when it is wrong (the link carries other callers' calls
     * too); tensors up to {@code linkCap} bytes are read before their shape is checked. Returns once
     * the relay has admitted this host, and connects again (after 1 s, doubling to 30 s) whenever the
     * link breaks, until the server is closed. Throws when the first connect fails or the relay refuses.
     */
    public void serveThrough(String relay, byte[] relayToken, String name, SocketFactory sockets, long linkCap) throws IOException {
        startWorkers();
        Socket first = relayLink(relay, relayToken, name, sockets);
        Quietly.daemon(() -> {
            Socket s = first;
            long backoff = 1_000;
            while (!closed) {
                if (s != null) {
                    backoff = 1_000;
                    try {
                        Connection c = new Connection(s, linkCap);
                        connections.add(c);
                        c.readLoop(); // until the link breaks
                    } catch (IOException e) {
                        Quietly.close(s);
                    }
                    s = null;
                }
                try {
                    Thread.sleep(backoff); // the relay may be restarting: not a busy loop
                    backoff = Math.min(backoff * 2, 30_000);
                    if (!closed) {
                        s = relayLink(relay, relayToken, name, sockets);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    relayProblem = e.getMessage();
                }
            }
        }, "experts-relay-link-" + name).start();
    }

    /** Why the last attempt to reach the relay failed; null when it did not. */
    public String relayProblem() {
        return relayProblem;
    }

    private Socket relayLink(String relay, byte[] relayToken, String name, SocketFactory sockets) throws IOException {
        Socket s = sockets.createSocket();
        try {
            s.connect(org.daig.experts.dht.UdpTransport.parse(relay), 5_000);
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            ExpertWire.hello(s, ExpertWire.RELAY_HOST, relayToken, name);
            s.setSoTimeout(0);
            relayProblem = null;
            return s;
        } catch (IOException | RuntimeException e) {
            Quietly.close(s);
            throw e;
        }
    }

    public synchronized int port() {
        return server.getLocalPort();
    }

    /** Calls refused for a wrong token. */
    public long refused() {
        return refused.get();
    }

    /** Calls that passed every check and were queued for their expert. */
    public long queued() {
        return queued.get();
    }

    /** Calls answered with a result. */
    public long served() {
        return served.get();
    }

    /** Forward and backward passes run (each serves one or more calls). */
    public long batches() {
        return batches.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                s.setTcpNoDelay(true);
                Connection c = new Connection(s, 0);
                connections.add(c);
                Quietly.daemon(c::readLoop, "experts-conn-" + s.getPort()).start();
            } catch (IOException e) {
                Quietly.close(s);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
        connections.forEach(Connection::close);
        workers.values().forEach(w -> w.thread.interrupt());
    }



    /** One caller's connection: requests are read here and answered by the experts' threads. */
    private final class Connection {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;
        /** Through a relay: the largest tensor the link carries (calls of many callers share it); 0 for a direct caller. */
        private final long relayCap;

        Connection(Socket socket, long relayCap) throws IOException {
            this.socket = socket;
            this.relayCap = relayCap;
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 << 10));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 << 10));
        }

        void readLoop() {
            boolean relayed = relayCap > 0;
            try {
                while (!closed) {
                    ExpertWire.RequestHeader h;
                    try {
                        h = ExpertWire.readRequestHeader(in);
                    } catch (EOFException e) {
                        return; // the caller hung up between calls
                    }
                    boolean tokenOk = MessageDigest.isEqual(h.token(), token);
                    Worker w = workers.get(h.uid());
                    String no = !tokenOk ? "refused: wrong token" : w == null ? "no expert " + h.uid() + " on this server" : null;
                    if (no != null) {
                        if (!tokenOk) {
                            refused.incrementAndGet();
                        }
                        if (!relayed) {
                            error(h.callId(), no);
                            return; // a direct caller with a wrong token or a wrong address gets nothing more
                        }
                        skipTensors(h.op()); // the relay carries other callers' calls too: this one alone fails
                        error(h.callId(), no);
                        continue;
                    }
                    if (h.op() == ExpertWire.PARAMETERS) {
                        w.queue.add(new Job(h.op(), h.callId(), null, null, this)); // on the expert's thread, between its steps
                        continue;
                    }
                    Tensor x;
                    Tensor g = null;
                    try {
                        // through a relay, tensors are read up to the link's cap and their shape checked per call below
                        x = TensorFrame.read(in, relayed ? relayCap : 4L * maxRows * w.block.inputs());
                        if (h.op() == ExpertWire.BACKWARD) {
                            g = TensorFrame.read(in, relayed ? relayCap : 4L * maxRows * w.block.outputs());
                        }
                    } catch (IOException e) {
                        error(h.callId(), "expert " + h.uid() + ": " + e.getMessage());
                        return;
                    }
                    String bad = w.check(x, g);
                    if (bad != null) {
                        error(h.callId(), "expert " + h.uid() + ": " + bad);
                        continue;
                    }
                    w.queue.add(new Job(h.op(), h.callId(), x, g, this));
                    queued.incrementAndGet();
                }
            } catch (IOException e) {
                // a broken connection: its calls are lost, the caller's timeouts see to them
            } finally {
                close();
            }
        }

        private void skipTensors(byte op) throws IOException {
            if (op != ExpertWire.PARAMETERS) {
                TensorFrame.read(in, relayCap);
            }
            if (op == ExpertWire.BACKWARD) {
                TensorFrame.read(in, relayCap);
            }
        }

        synchronized void answer(long callId, Tensor result) {
            served.incrementAndGet(); // counted before the reply leaves, so a caller holding its answer sees the count
            try {
                ExpertWire.writeResponseHeader(out, ExpertWire.OK, callId, null);
                TensorFrame.write(result, out);
                out.flush();
            } catch (IOException e) {
                close();
            }
        }

        synchronized void error(long callId, String message) {
            try {
                ExpertWire.writeResponseHeader(out, ExpertWire.ERROR, callId, message);
                out.flush();
            } catch (IOException e) {
                close();
            }
        }

        void close() {
            connections.remove(this);
            Quietly.close(socket);
        }
    }

    /** One expert's queue and thread. */
    private final class Worker {
        private final String uid;
        private final Block block;
        private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
        private final Thread thread;

        Worker(String uid, Block block) {
            this.uid = uid;
            this.block = block;
            thread = Quietly.daemon(this::run, "expert-" + uid);
        }

        void start() {
            thread.start();
        }

        String check(Tensor x, Tensor g) {
            if (x.rank() != 2 || x.dimension(0) < 1 || x.dimension(1) != block.inputs()) {
                return "inputs have shape " + Arrays.toString(x.shape()) + ", expected [rows, " + block.inputs() + "]";
            }
            if (x.dimension(0) > maxRows) {
                return x.dimension(0) + " rows in one call, at most " + maxRows;
            }
            if (g != null && (g.rank() != 2 || g.dimension(0) != x.dimension(0) || g.dimension(1) != block.outputs())) {
                return "output gradients have shape " + Arrays.toString(g.shape()) + ", expected [" + x.dimension(0) + ", "
                        + block.outputs() + "]";
            }
            return null;
        }

        private void run() {
            while (!closed) {
                Job first;
                try {
                    first = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (first.op() == ExpertWire.PARAMETERS) {
                    float[] p = block.parameters();
                    first.from().answer(first.callId(), new Tensor(new int[] {p.length}, p));
                    continue;
                }
                // what queued behind it of the same kind goes into the same pass (this thread is the only taker)
                List<Job> batch = new ArrayList<>();
                batch.add(first);
                int rows = first.rows();
                for (Job next = queue.peek(); next != null && next.op() == first.op() && rows + next.rows() <= maxRows; next = queue.peek()) {
                    batch.add(queue.poll());
                    rows += next.rows();
                }
                runBatch(first.op(), batch, rows);
            }
        }

        private void runBatch(byte op, List<Job> batch, int rows) {
            Tensor result;
            try {
                Tensor x = concat(batch, rows, block.inputs(), false);
                result = op == ExpertWire.FORWARD ? block.forward(x) : block.backward(x, concat(batch, rows, block.outputs(), true));
                batches.incrementAndGet();
            } catch (RuntimeException e) {
                for (Job j : batch) {
                    j.from().error(j.callId(), "expert " + uid + " failed: " + e);
                }
                return;
            }
            int width = result.dimension(1);
            int at = 0;
            for (Job j : batch) {
                float[] mine = Arrays.copyOfRange(result.data(), at * width, (at + j.rows()) * width);
                j.from().answer(j.callId(), new Tensor(new int[] {j.rows(), width}, mine));
                at += j.rows();
            }
        }

        private Tensor concat(List<Job> batch, int rows, int width, boolean gradients) {
            if (batch.size() == 1) {
                return gradients ? batch.get(0).gradOutputs() : batch.get(0).inputs();
            }
            float[] all = new float[rows * width];
            int at = 0;
            for (Job j : batch) {
                float[] v = (gradients ? j.gradOutputs() : j.inputs()).data();
                System.arraycopy(v, 0, all, at, v.length);
                at += v.length;
            }
            return new Tensor(new int[] {rows, width}, all);
        }
    }
}
