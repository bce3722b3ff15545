package org.daig.experts.dht;

/** A DHT peer: its 64-bit id and the address its transport reaches it at. */
public record Peer(long id, String address) {

    /**
     * Marks a peer in client mode (behind NAT, say): it stores and gets, but others cannot reach it, so
     * they keep it out of their routing tables and never hand it out as a contact.
     */
    public static final String CLIENT_PREFIX = "client:";

    public Peer {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("peer " + Long.toUnsignedString(id, 16) + " has no address");
        }
    }

    public boolean isClient() {
        return address.startsWith(CLIENT_PREFIX);
    }

    @Override
    public String toString() {
        return address + "#" + Long.toUnsignedString(id, 16);
    }
}
