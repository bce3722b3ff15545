package org.daig.experts.net;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ServerSocketFactory;

import org.daig.experts.Tensor;
import org.daig.experts.TensorFrame;

/**
 * Expert calls for hosts that cannot be reached (behind NAT, issue 18): the host connects out to the
 * relay and says its name ({@link ExpertServer#serveThrough}); a caller connects to the relay, names
 * the host, and sends its calls as it would to the host itself (an address {@code relay:HOST:PORT/NAME}
 * in {@link ExpertClient}). The relay passes each call down the host's connection under a call id of
 * its own and each answer back to its caller. Both sides are admitted by {@link RelayAccess} from the
 * token in their hello, before anything else is read; the calls keep the experts' own token, which
 * the host checks as always, so a relay cannot step an expert for anyone the host would refuse. Every
 * tensor passing through is capped before it is allocated.
 */
public final class ExpertRelay implements AutoCloseable {

    private static final int HELLO_TIMEOUT_MILLIS = 10_000;

    private final RelayAccess access;
    private final long maxPayloadBytes;
    private final ServerSocketFactory sockets;
    private final Map<String, HostLink> hosts = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong relayed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean closed;
    private ServerSocket server;

    /** {@code maxPayloadBytes}: the largest tensor a call or answer may carry; {@code sockets}: plain or TLS. */
    public ExpertRelay(RelayAccess access, long maxPayloadBytes, ServerSocketFactory sockets) {
        this.access = access;
        this.maxPayloadBytes = maxPayloadBytes;
        this.sockets = sockets;
    }

    /** Listens on host:port (0: any free port); returns the port. */
    public synchronized int start(String host, int port) throws IOException {
        server = sockets.createServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port));
        Quietly.daemon(this::acceptLoop, "expert-relay-accept").start();
        return server.getLocalPort();
    }

    /** Hosts connected now. */
    public int hosts() {
        return hosts.size();
    }

    /** Answers (results and errors) passed back to callers. */
    public long relayed() {
        return relayed.get();
    }

    /** Hellos refused by {@link RelayAccess}. */
    public long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (server != null) {
                Quietly.close(server);
            }
        }
        open.forEach(Quietly::close);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            open.add(s);
            Quietly.daemon(() -> greet(s), "expert-relay-" + s.getPort()).start();
        }
    }

    /** Reads the hello, admits or refuses, then serves the connection as a host's or a caller's. */
    private void greet(Socket s) {
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(HELLO_TIMEOUT_MILLIS); // a silent peer does not hold a thread for long
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 << 10));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 << 10));
            ExpertWire.RelayHello hello = ExpertWire.readRelayHello(in);
            String no = hello.role() == ExpertWire.RELAY_HOST ? access.admitHost(hello.token(), hello.host())
                    : access.admitCaller(hello.token(), hello.host());
            if (no != null) {
                refused.incrementAndGet();
                ExpertWire.writeResponseHeader(out, ExpertWire.ERROR, 0, no);
                out.flush();
                return;
            }
            s.setSoTimeout(0);
            if (hello.role() == ExpertWire.RELAY_HOST) {
                HostLink link = new HostLink(hello.host(), s, out);
                HostLink before;
                synchronized (link) { // listed and admitted at once: no call goes down before the host has its answer
                    before = hosts.put(hello.host(), link);
                    ExpertWire.writeResponseHeader(out, ExpertWire.OK, 0, null);
                    out.flush();
                }
                if (before != null) {
                    before.close("host " + hello.host() + " connected again"); // the newer link wins (a reconnect after a half-dead one)
                }
                link.readAnswers(in);
            } else {
                ExpertWire.writeResponseHeader(out, ExpertWire.OK, 0, null);
                out.flush();
                new CallerLink(s, out).readCalls(in, hello.host());
            }
        } catch (IOException e) {
            // a peer that hung up or sent garbage: its connection ends here
        } finally {
            open.remove(s);
            Quietly.close(s);
        }
    }

    /** A call waiting for its host's answer. */
    private record Waiting(CallerLink caller, long callId) {
    }

    /** A host's connection: calls go down, answers come up. */
    private final class HostLink {
        private final String name;
        private final Socket socket;
        private final DataOutputStream out;
        private final Map<Long, Waiting> waiting = new ConcurrentHashMap<>();
        private volatile boolean gone;

        HostLink(String name, Socket socket, DataOutputStream out) {
            this.name = name;
            this.socket = socket;
            this.out = out;
        }

        synchronized void send(ExpertWire.RequestHeader h, long id, Tensor x, Tensor g) throws IOException {
            ExpertWire.writeRequestHeader(out, h.op(), id, h.token(), h.uid());
            if (x != null) {
                TensorFrame.write(x, out);
            }
            if (g != null) {
                TensorFrame.write(g, out);
            }
            out.flush();
        }

        void readAnswers(DataInputStream in) {
            try {
                while (!closed) {
                    ExpertWire.ResponseHeader h = ExpertWire.readResponseHeader(in);
                    Tensor t = h.status() == ExpertWire.OK ? TensorFrame.read(in, maxPayloadBytes) : null;
                    Waiting w = waiting.remove(h.callId());
                    if (w != null) {
                        w.caller().answer(w.callId(), h.status(), t, h.message());
                    }
                }
            } catch (IOException e) {
                close("host " + name + " left the relay");
            }
        }

        void close(String why) {
            gone = true;
            hosts.remove(name, this);
            Quietly.close(socket);
            for (Long id : waiting.keySet()) {
                Waiting w = waiting.remove(id);
                if (w != null) {
                    w.caller().answer(w.callId(), ExpertWire.ERROR, null, why);
                }
            }
        }
    }

    /** A caller's connection: calls come in, answers go back. */
    private final class CallerLink {
        private final Socket socket;
        private final DataOutputStream out;

        CallerLink(Socket socket, DataOutputStream out) {
            this.socket = socket;
            this.out = out;
        }

        void readCalls(DataInputStream in, String hostName) throws IOException {
            while (!closed) {
                ExpertWire.RequestHeader h = ExpertWire.readRequestHeader(in);
                Tensor x = h.op() == ExpertWire.PARAMETERS ? null : TensorFrame.read(in, maxPayloadBytes);
                Tensor g = h.op() == ExpertWire.BACKWARD ? TensorFrame.read(in, maxPayloadBytes) : null;
                HostLink host = hosts.get(hostName);
                if (host == null || host.gone) {
                    answer(h.callId(), ExpertWire.ERROR, null, "no host " + hostName + " at this relay now");
                    continue;
                }
                long id = nextId.incrementAndGet();
                host.waiting.put(id, new Waiting(this, h.callId()));
                try {
                    host.send(h, id, x, g);
                } catch (IOException e) {
                    host.close("host " + hostName + " left the relay");
                }
            }
        }

        synchronized void answer(long callId, byte status, Tensor t, String message) {
            relayed.incrementAndGet(); // counted before it leaves, so a caller holding the answer sees the count
            try {
                ExpertWire.writeResponseHeader(out, status, callId, message);
                if (t != null) {
                    TensorFrame.write(t, out);
                }
                out.flush();
            } catch (IOException e) {
                Quietly.close(socket); // the caller is gone; its reader ends
            }
        }
    }
}
