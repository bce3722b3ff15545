package org.daig.experts.dht;

import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.daig.experts.dht.DhtMessage.FindNode;
import org.daig.experts.dht.DhtMessage.FindValue;
import org.daig.experts.dht.DhtMessage.Ping;
import org.daig.experts.dht.DhtMessage.Reply;
import org.daig.experts.dht.DhtMessage.Request;
import org.daig.experts.dht.DhtMessage.Store;

/**
 * The DHT's datagrams, one message each, big-endian: magic "DDHT", version 1, kind (1 request, 2 reply),
 * the call id (8 bytes), then the message. Strings are a 2-byte length and UTF-8; every count and length
 * is checked against a cap before anything is allocated, so a malformed datagram costs an IOException,
 * never a large allocation or a crash.
 *
 * <pre>
 * request: type (1 ping, 2 find-node, 3 find-value, 4 store), from-id (8), from-address (string), then
 *          find-node: target (8); find-value: key; store: key, subkey, value, expires-at (8)
 * reply:   peers (2-byte count, each id + address), values (2-byte count, each subkey, value, expires-at), stored (1)
 * </pre>
 */
final class DhtCodec {

    static final int MAGIC = 0x44444854; // "DDHT"
    static final byte VERSION = 1;
    static final byte REQUEST = 1;
    static final byte REPLY = 2;
    /** Longest string on the wire in bytes: keys and values are at most 256 characters, addresses far less. */
    static final int MAX_STRING = 1024;
    static final int MAX_PEERS = 64;

    /** A decoded datagram: its kind and call id, and the request or the reply. */
    record Message(byte kind, long callId, Request request, Reply reply) {
    }

    private DhtCodec() {
    }

    static byte[] request(long callId, Request r, int maxBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(maxBytes);
        try {
            b.putInt(MAGIC).put(VERSION).put(REQUEST).putLong(callId);
            if (r instanceof Ping p) {
                b.put((byte) 1);
                peer(b, p.from());
            } else if (r instanceof FindNode f) {
                b.put((byte) 2);
                peer(b, f.from());
                b.putLong(f.target());
            } else if (r instanceof FindValue f) {
                b.put((byte) 3);
                peer(b, f.from());
                string(b, f.key());
            } else if (r instanceof Store s) {
                b.put((byte) 4);
                peer(b, s.from());
                string(b, s.key());
                string(b, s.subkey());
                string(b, s.value());
                b.putLong(s.expiresAt());
            }
        } catch (BufferOverflowException e) {
            throw new IOException("DHT request does not fit a datagram of " + maxBytes + " bytes", e);
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** Encodes a reply; values that do not fit the datagram are left out (a prefix with thousands of subkeys). */
    static byte[] reply(long callId, Reply r, int maxBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(maxBytes);
        try {
            b.putInt(MAGIC).put(VERSION).put(REPLY).putLong(callId);
            List<Peer> peers = r.closer().size() > MAX_PEERS ? r.closer().subList(0, MAX_PEERS) : r.closer();
            b.putShort((short) peers.size());
            for (Peer p : peers) {
                peer(b, p);
            }
            int countAt = b.position();
            b.putShort((short) 0);
            int count = 0;
            for (Map.Entry<String, Stored> v : r.values().entrySet()) {
                int mark = b.position();
                try {
                    string(b, v.getKey());
                    string(b, v.getValue().value());
                    b.putLong(v.getValue().expiresAt());
                    if (b.remaining() < 1) {
                        throw new BufferOverflowException();
                    }
                    count++;
                } catch (BufferOverflowException full) {
                    b.position(mark);
                    break;
                }
                if (count == 0xffff) {
                    break;
                }
            }
            b.putShort(countAt, (short) count);
            b.put((byte) (r.stored() ? 1 : 0));
        } catch (BufferOverflowException e) {
            throw new IOException("DHT reply does not fit a datagram of " + maxBytes + " bytes", e);
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    static Message decode(byte[] data, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data, 0, length);
        try {
            if (b.getInt() != MAGIC) {
                throw new IOException("not a DHT datagram (magic)");
            }
            if (b.get() != VERSION) {
                throw new IOException("DHT datagram of an unknown version");
            }
            byte kind = b.get();
            long callId = b.getLong();
            Message m;
            if (kind == REQUEST) {
                m = new Message(kind, callId, request(b), null);
            } else if (kind == REPLY) {
                m = new Message(kind, callId, null, reply(b));
            } else {
                throw new IOException("DHT datagram of unknown kind " + kind);
            }
            if (b.hasRemaining()) {
                throw new IOException("DHT datagram has " + b.remaining() + " bytes after its message");
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new IOException("truncated DHT datagram (" + length + " bytes)", e);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad DHT datagram: " + e.getMessage(), e);
        }
    }

    private static Request request(ByteBuffer b) throws IOException {
        byte type = b.get();
        Peer from = peer(b);
        return switch (type) {
            case 1 -> new Ping(from);
            case 2 -> new FindNode(from, b.getLong());
            case 3 -> new FindValue(from, string(b));
            case 4 -> new Store(from, string(b), string(b), string(b), b.getLong());
            default -> throw new IOException("unknown DHT request type " + type);
        };
    }

    private static Reply reply(ByteBuffer b) throws IOException {
        int peers = b.getShort() & 0xffff;
        if (peers > MAX_PEERS) {
            throw new IOException("DHT reply with " + peers + " peers (at most " + MAX_PEERS + ")");
        }
        List<Peer> closer = new ArrayList<>(peers);
        for (int i = 0; i < peers; i++) {
            closer.add(peer(b));
        }
        int values = b.getShort() & 0xffff;
        // each value takes at least 12 bytes, so the count cannot promise more than the datagram holds
        if (values * 12L > b.remaining()) {
            throw new IOException("DHT reply announces " + values + " values in " + b.remaining() + " bytes");
        }
        Map<String, Stored> found = new HashMap<>();
        for (int i = 0; i < values; i++) {
            String subkey = string(b);
            found.put(subkey, new Stored(string(b), b.getLong()));
        }
        byte stored = b.get();
        if (stored != 0 && stored != 1) {
            throw new IOException("DHT reply's stored flag is " + stored);
        }
        return new Reply(List.copyOf(closer), Map.copyOf(found), stored == 1);
    }

    private static void peer(ByteBuffer b, Peer p) {
        b.putLong(p.id());
        string(b, p.address());
    }

    private static Peer peer(ByteBuffer b) throws IOException {
        long id = b.getLong();
        return new Peer(id, string(b));
    }

    private static void string(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING) {
            throw new IllegalArgumentException("DHT string of " + bytes.length + " bytes (at most " + MAX_STRING + ")");
        }
        b.putShort((short) bytes.length).put(bytes);
    }

    private static String string(ByteBuffer b) throws IOException {
        int n = b.getShort() & 0xffff;
        if (n > MAX_STRING || n > b.remaining()) {
            throw new IOException("DHT string of " + n + " bytes (at most " + Math.min(MAX_STRING, b.remaining()) + " here)");
        }
        ByteBuffer slice = b.slice();
        slice.limit(n);
        b.position(b.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("DHT string is not UTF-8", e);
        }
    }
}
