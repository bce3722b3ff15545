package org.daig.experts.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.SocketFactory;

import org.daig.experts.Expert;
import org.daig.experts.ExpertConnector;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.TensorFrame;
import org.daig.experts.dht.UdpTransport;

/**
 * Calls experts on other machines ({@link ExpertServer}) over TCP: one connection per server address,
 * opened on the first call and again after it broke, carrying many calls at once (answers are matched by
 * call id). Each call has its own timeout (forward and backward apart): when it passes, the call fails
 * with a TimeoutException, so the mixture-of-experts layer masks the expert and puts it in its negative
 * cache; a broken connection or a refused connect fails the calls at once. Connecting and writing happen
 * on the client's own threads, so {@link #connect} and the calls never block the layer.
 */
public final class ExpertClient implements ExpertConnector, AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    /** Addresses of hosts reached through a relay: {@code relay:HOST:PORT/NAME}. */
    public static final String RELAY_PREFIX = "relay:";

    private final byte[] token;
    private final long forwardTimeoutMillis;
    private final long backwardTimeoutMillis;
    private final long maxPayloadBytes;
    private final byte[] relayToken;
    private final SocketFactory sockets;
    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    private final AtomicLong nextCall = new AtomicLong();
    private final ExecutorService io = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "expert-client-io");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /** {@code maxPayloadBytes} caps each answer's tensor before it is allocated. */
    public ExpertClient(byte[] token, long forwardTimeoutMillis, long backwardTimeoutMillis, long maxPayloadBytes) {
        this(token, forwardTimeoutMillis, backwardTimeoutMillis, maxPayloadBytes, null, SocketFactory.getDefault());
    }

    /**
     * Also reaches hosts behind a relay: an address {@code relay:HOST:PORT/NAME} is a connection to the
     * relay ({@link ExpertRelay}) opened with {@code relayToken} (null: no relay addresses) through
     * {@code sockets} (plain, or TLS for a relay that speaks it), for the calls to host NAME.
     */
    public ExpertClient(byte[] token, long forwardTimeoutMillis, long backwardTimeoutMillis, long maxPayloadBytes, byte[] relayToken,
            SocketFactory sockets) {
        this.relayToken = relayToken == null ? null : relayToken.clone();
        this.sockets = sockets;
        if (forwardTimeoutMillis < 1 || backwardTimeoutMillis < 1 || maxPayloadBytes < 4) {
            throw new IllegalArgumentException("expert client needs timeouts >= 1 ms and a payload cap >= 4 bytes");
        }
        this.token = token.clone();
        this.forwardTimeoutMillis = forwardTimeoutMillis;
        this.backwardTimeoutMillis = backwardTimeoutMillis;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public Expert connect(ExpertUid uid, String address) {
        Server server = servers.computeIfAbsent(address, Server::new);
        String name = uid.toString();
        return new Expert() {
            @Override
            public CompletableFuture<Tensor> forward(Tensor inputs) {
                return server.call(ExpertWire.FORWARD, name, inputs, null, forwardTimeoutMillis);
            }

            @Override
            public CompletableFuture<Tensor> backward(Tensor inputs, Tensor gradOutputs) {
                return server.call(ExpertWire.BACKWARD, name, inputs, gradOutputs, backwardTimeoutMillis);
            }

            @Override
            public CompletableFuture<float[]> parameters() {
                return server.call(ExpertWire.PARAMETERS, name, null, null, Math.max(forwardTimeoutMillis, backwardTimeoutMillis))
                        .thenApply(Tensor::data);
            }

            @Override
            public String toString() {
                return name + "@" + address;
            }
        };
    }

    @Override
    public void close() {
        closed = true;
        servers.values().forEach(s -> s.drop(new IOException("expert client closed")));
        io.shutdownNow();
    }

    /** One server address: its current connection, replaced when it breaks. */
    private final class Server {
        private final String address;
        private Link link;

        Server(String address) {
            this.address = address;
        }

        CompletableFuture<Tensor> call(byte op, String uid, Tensor x, Tensor g, long timeoutMillis) {
            CompletableFuture<Tensor> result = new CompletableFuture<>();
            long id = nextCall.incrementAndGet();
            if (closed) {
                result.completeExceptionally(new IOException("expert client closed"));
                return result;
            }
            io.execute(() -> {
                Link l;
                try {
                    l = link();
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(new IOException("expert " + uid + " at " + address + ": " + e.getMessage(), e));
                    return;
                }
                try {
                    l.pending.put(id, result);
                    result.whenComplete((t, e) -> l.pending.remove(id));
                    l.send(op, id, uid, x, g);
                } catch (IOException | RuntimeException e) {
                    l.fail(e);
                    result.completeExceptionally(new IOException("expert " + uid + " at " + address + ": " + e.getMessage(), e));
                }
            });
            CompletableFuture.delayedExecutor(timeoutMillis, TimeUnit.MILLISECONDS).execute(() -> result.completeExceptionally(
                    new TimeoutException("expert " + uid + " at " + address + " did not answer within " + timeoutMillis + " ms")));
            return result;
        }

        private synchronized Link link() throws IOException {
            if (link == null || link.broken) {
                boolean relayed = address.startsWith(RELAY_PREFIX);
                int slash = address.indexOf('/');
                if (relayed && (slash < 0 || relayToken == null)) {
                    throw new IOException(slash < 0 ? "a relay address is relay:HOST:PORT/NAME" : "no relay token to reach " + address);
                }
                Socket s = relayed ? sockets.createSocket() : new Socket();
                try {
                    s.connect(UdpTransport.parse(relayed ? address.substring(RELAY_PREFIX.length(), slash) : address), CONNECT_TIMEOUT_MILLIS);
                    s.setTcpNoDelay(true);
                    if (relayed) {
                        s.setSoTimeout(CONNECT_TIMEOUT_MILLIS);
                        ExpertWire.hello(s, ExpertWire.RELAY_CALLER, relayToken, address.substring(slash + 1));
                        s.setSoTimeout(0);
                    }
                    link = new Link(s, address);
                } catch (IOException | RuntimeException e) {
                    s.close();
                    throw e;
                }
            }
            return link;
        }

        synchronized void drop(IOException why) {
            if (link != null) {
                link.fail(why);
            }
        }
    }

    /** One TCP connection and the calls waiting for their answers on it. */
    private final class Link {
        private final Socket socket;
        private final String address;
        private final DataOutputStream out;
        private final DataInputStream in;
        final Map<Long, CompletableFuture<Tensor>> pending = new ConcurrentHashMap<>();
        volatile boolean broken;

        Link(Socket socket, String address) throws IOException {
            this.socket = socket;
            this.address = address;
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 << 10));
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 << 10));
            Thread reader = new Thread(this::readLoop, "expert-client-read-" + address);
            reader.setDaemon(true);
            reader.start();
        }

        synchronized void send(byte op, long id, String uid, Tensor x, Tensor g) throws IOException {
            ExpertWire.writeRequestHeader(out, op, id, token, uid);
            if (x != null) {
                TensorFrame.write(x, out);
            }
            if (g != null) {
                TensorFrame.write(g, out);
            }
            out.flush();
        }

        private void readLoop() {
            try {
                while (!broken) {
                    ExpertWire.ResponseHeader h = ExpertWire.readResponseHeader(in);
                    if (h.status() == ExpertWire.OK) {
                        Tensor t = TensorFrame.read(in, maxPayloadBytes);
                        CompletableFuture<Tensor> f = pending.remove(h.callId());
                        if (f != null) {
                            f.complete(t);
                        }
                    } else {
                        CompletableFuture<Tensor> f = pending.remove(h.callId());
                        if (f != null) {
                            f.completeExceptionally(new IOException("expert server " + address + ": " + h.message()));
                        }
                    }
                }
            } catch (IOException e) {
                fail(e);
            }
        }

        void fail(Throwable why) {
            broken = true;
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            for (Long id : pending.keySet()) {
                CompletableFuture<Tensor> f = pending.remove(id);
                if (f != null) {
                    f.completeExceptionally(new IOException("connection to expert server " + address + " broke: " + why.getMessage(), why));
                }
            }
        }
    }
}
