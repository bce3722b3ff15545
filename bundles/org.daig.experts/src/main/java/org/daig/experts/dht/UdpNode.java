package org.daig.experts.dht;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A DHT peer of its own process: a {@link KademliaNode} on a {@link UdpTransport}, with the system
 * clock (expiry times are absolute milliseconds, so peers on one machine or with synchronised clocks
 * agree on them). A peer's id is the key id of its address, so a bootstrap peer is named by its
 * address alone.
 */
public final class UdpNode implements AutoCloseable {

    private final UdpTransport transport;
    private final KademliaNode node;

    private UdpNode(UdpTransport transport, KademliaNode node) {
        this.transport = transport;
        this.node = node;
    }

    /** Binds host:port (0: any free port) and starts answering; {@link #join} to find the others. */
    public static UdpNode start(String host, int port, long timeoutMillis) throws IOException {
        return start(host, port, timeoutMillis, null);
    }

    /** As above, with every datagram tagged and checked with {@code secret} (UdpTransport); null: no tags. */
    public static UdpNode start(String host, int port, long timeoutMillis, byte[] secret) throws IOException {
        UdpTransport t = UdpTransport.bind(host, port, timeoutMillis, secret);
        KademliaNode n = new KademliaNode(peer(t.address()), KademliaNode.Settings.DEFAULT, System::currentTimeMillis);
        n.attach(t);
        t.start(n);
        return new UdpNode(t, n);
    }

    /**
     * A peer in client mode (Peer#CLIENT_PREFIX): for a host behind NAT, which can store and get (the
     * answers come back through its NAT) but which nobody can call, so nobody keeps it as a contact.
     */
    public static UdpNode startClient(String host, int port, long timeoutMillis, byte[] secret) throws IOException {
        UdpTransport t = UdpTransport.bind(host, port, timeoutMillis, secret);
        KademliaNode n = new KademliaNode(new Peer(KademliaNode.keyId(t.address()), Peer.CLIENT_PREFIX + t.address()),
                KademliaNode.Settings.DEFAULT, System::currentTimeMillis);
        n.attach(t);
        t.start(n);
        return new UdpNode(t, n);
    }

    /** The peer at this "host:port" address. */
    public static Peer peer(String address) {
        UdpTransport.parse(address);
        return new Peer(KademliaNode.keyId(address), address);
    }

    /** Joins the DHT through the peer at {@code bootstrap}; completes with how many peers this one knows then. */
    public CompletableFuture<Integer> join(String bootstrap) {
        return node.join(peer(bootstrap));
    }

    public KademliaNode node() {
        return node;
    }

    public UdpTransport transport() {
        return transport;
    }

    public String address() {
        return transport.address();
    }

    @Override
    public void close() {
        transport.close();
    }
}
