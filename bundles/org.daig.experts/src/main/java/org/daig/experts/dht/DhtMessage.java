package org.daig.experts.dht;

import java.util.List;
import java.util.Map;

/** The four Kademlia requests and their one reply shape; each request names its sender. */
public final class DhtMessage {

    private DhtMessage() {
    }

    /** A request; {@code from} lets the receiver learn the sender for its routing table. */
    public sealed interface Request permits Ping, FindNode, FindValue, Store {
        Peer from();
    }

    public record Ping(Peer from) implements Request {
    }

    /** Asks for the receiver's peers closest to {@code target}. */
    public record FindNode(Peer from, long target) implements Request {
    }

    /** Asks for the live values under {@code key}, or else the receiver's peers closest to it. */
    public record FindValue(Peer from, String key) implements Request {
    }

    /** Stores {@code value} under {@code key}/{@code subkey} until {@code expiresAt}; a later expiry wins. */
    public record Store(Peer from, String key, String subkey, String value, long expiresAt) implements Request {
    }

    /**
     * The answer to any request: the receiver's closest peers (FindNode, and FindValue without a value),
     * the values found (FindValue), whether a value was kept (Store).
     */
    public record Reply(List<Peer> closer, Map<String, Stored> values, boolean stored) {

        static final Reply EMPTY = new Reply(List.of(), Map.of(), false);
    }
}
