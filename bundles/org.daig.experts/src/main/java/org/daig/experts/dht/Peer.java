package org.daig.experts.dht;

/** A DHT peer: its 64-bit id and the address its transport reaches it at. */
public record Peer(long id, String address) {

    public Peer {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("peer " + Long.toUnsignedString(id, 16) + " has no address");
        }
    }

    @Override
    public String toString() {
        return address + "#" + Long.toUnsignedString(id, 16);
    }
}
