package org.daig.experts.dht;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.daig.experts.dht.DhtMessage.Reply;
import org.daig.experts.dht.DhtMessage.Request;

/**
 * The DHT over UDP between processes that reach each other (issue 18): one datagram per request and
 * one per reply ({@link DhtCodec}), matched by a call id. A call fails with a TimeoutException after
 * {@code timeoutMillis}; a reply is taken only from the address the request went to. Datagrams larger
 * than {@link #MAX_DATAGRAM} or that do not decode are dropped and counted ({@link #malformed()}), never
 * thrown: a peer's junk must not stop the receive loop. Requests are answered on the receive thread
 * (the node's handler only looks at its own tables).
 */
public final class UdpTransport implements DhtTransport, AutoCloseable {

    /** The largest datagram sent or accepted; well under UDP's 65,507 bytes. */
    public static final int MAX_DATAGRAM = 16 * 1024;
    /** Bytes of the HMAC-SHA256 tag each datagram of a keyed transport ends with. */
    static final int TAG_BYTES = 16;

    private record Pending(CompletableFuture<Reply> future, InetSocketAddress to) {
    }

    private final DatagramSocket socket;
    private final String address;
    private final long timeoutMillis;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextCall = new AtomicLong(System.nanoTime());
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong unauthenticated = new AtomicLong();
    /** The datagrams' HMAC key; null: datagrams carry no tag (a DHT of one's own machines only). */
    private final SecretKeySpec key;
    private volatile Handler handler;
    private volatile boolean closed;
    private Thread receiver;

    private UdpTransport(DatagramSocket socket, long timeoutMillis, byte[] secret) {
        this.socket = socket;
        this.key = secret == null ? null : new SecretKeySpec(sha256("daig-experts-dht", secret), "HmacSHA256");
        this.address = socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
        this.timeoutMillis = timeoutMillis;
    }

    /** Binds a socket ({@code port} 0: any free one) for datagrams without a tag; call {@link #start} to take requests. */
    public static UdpTransport bind(String host, int port, long timeoutMillis) throws SocketException {
        return bind(host, port, timeoutMillis, null);
    }

    /**
     * As above, every datagram tagged with an HMAC-SHA256 keyed by {@code secret} (the project's
     * experts token): a datagram whose tag does not verify is dropped unread and counted
     * ({@link #unauthenticated()}), so only peers that know the secret can store, find or join.
     */
    public static UdpTransport bind(String host, int port, long timeoutMillis, byte[] secret) throws SocketException {
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("UDP transport timeout must be >= 1 ms, not " + timeoutMillis);
        }
        if (secret != null && secret.length < 8) {
            throw new IllegalArgumentException("a DHT secret needs at least 8 bytes, not " + secret.length);
        }
        return new UdpTransport(new DatagramSocket(new InetSocketAddress(host, port)), timeoutMillis, secret);
    }

    /** host:port, as peers reach this transport (the bound address; use a concrete host, not 0.0.0.0). */
    public String address() {
        return address;
    }

    public int port() {
        return UdpTransport.parse(address).getPort();
    }

    /** Starts the receive loop; incoming requests go to {@code h}. */
    public synchronized void start(Handler h) {
        if (receiver != null) {
            throw new IllegalStateException("UDP transport at " + address() + " is already started");
        }
        handler = h;
        receiver = new Thread(this::receiveLoop, "dht-udp-" + socket.getLocalPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Datagrams dropped because they were too large or did not decode. */
    public long malformed() {
        return malformed.get();
    }

    /** Datagrams dropped because their tag did not verify (a keyed transport only). */
    public long unauthenticated() {
        return unauthenticated.get();
    }

    /** Datagrams received, malformed ones included. */
    public long received() {
        return received.get();
    }

    @Override
    public CompletableFuture<Reply> call(Peer to, Request request) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        if (closed) {
            reply.completeExceptionally(new IOException("UDP transport at " + address() + " is closed"));
            return reply;
        }
        long id = nextCall.incrementAndGet();
        try {
            InetSocketAddress target = parse(to.address());
            byte[] data = tagged(DhtCodec.request(id, request, MAX_DATAGRAM - tagBytes()));
            pending.put(id, new Pending(reply, target));
            socket.send(new DatagramPacket(data, data.length, target));
        } catch (IOException | IllegalArgumentException e) {
            pending.remove(id);
            reply.completeExceptionally(e);
            return reply;
        }
        CompletableFuture.delayedExecutor(timeoutMillis, TimeUnit.MILLISECONDS).execute(() -> {
            if (pending.remove(id) != null) {
                reply.completeExceptionally(new TimeoutException("no answer from DHT peer " + to + " within " + timeoutMillis + " ms"));
            }
        });
        return reply;
    }

    /** "host:port" → a socket address; throws IllegalArgumentException naming the address. */
    public static InetSocketAddress parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("address '" + address + "' is not host:port");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address '" + address + "': the port is not a number", e);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("address '" + address + "': port " + port + " is outside 1..65535");
        }
        return new InetSocketAddress(address.substring(0, colon), port);
    }

    private void receiveLoop() {
        // one byte more than the cap, so a datagram over it shows as filling the buffer
        byte[] buffer = new byte[MAX_DATAGRAM + 1];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            received.incrementAndGet();
            try {
                if (packet.getLength() > MAX_DATAGRAM) {
                    throw new IOException("datagram over " + MAX_DATAGRAM + " bytes");
                }
                int length = packet.getLength() - tagBytes();
                if (key != null && (length < 0 || !MessageDigest.isEqual(tag(buffer, length), Arrays.copyOfRange(buffer, length,
                        length + TAG_BYTES)))) {
                    unauthenticated.incrementAndGet(); // not from a peer that knows the secret: not even decoded
                    continue;
                }
                dispatch(DhtCodec.decode(buffer, length), (InetSocketAddress) packet.getSocketAddress());
            } catch (IOException | RuntimeException e) {
                malformed.incrementAndGet();
            }
        }
    }

    private void dispatch(DhtCodec.Message m, InetSocketAddress sender) throws IOException {
        if (m.kind() == DhtCodec.REPLY) {
            Pending p = pending.get(m.callId());
            if (p != null && p.to().equals(sender) && pending.remove(m.callId(), p)) {
                p.future().complete(m.reply());
            }
            return;
        }
        Handler h = handler;
        if (h == null) {
            return;
        }
        byte[] data = tagged(DhtCodec.reply(m.callId(), h.handle(m.request()), MAX_DATAGRAM - tagBytes()));
        socket.send(new DatagramPacket(data, data.length, sender));
    }

    private int tagBytes() {
        return key == null ? 0 : TAG_BYTES;
    }

    /** The datagram with its tag appended (unchanged without a key). */
    private byte[] tagged(byte[] data) {
        if (key == null) {
            return data;
        }
        byte[] out = Arrays.copyOf(data, data.length + TAG_BYTES);
        System.arraycopy(tag(data, data.length), 0, out, data.length, TAG_BYTES);
        return out;
    }

    private byte[] tag(byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(data, 0, length);
            return Arrays.copyOf(mac.doFinal(), TAG_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] sha256(String purpose, byte[] secret) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(purpose.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return d.digest(secret);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        for (Long id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future().completeExceptionally(new IOException("UDP transport at " + address() + " closed"));
            }
        }
    }
}
