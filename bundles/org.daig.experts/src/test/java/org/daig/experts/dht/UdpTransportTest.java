package org.daig.experts.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.daig.experts.dht.DhtMessage.FindValue;
import org.daig.experts.dht.DhtMessage.Ping;
import org.daig.experts.dht.DhtMessage.Reply;
import org.daig.experts.dht.DhtMessage.Store;
import org.junit.jupiter.api.Test;

/** The DHT over real UDP sockets on the loopback interface. */
class UdpTransportTest {

    @Test
    void peersInSeparateSocketsStoreAndFindThroughUdp() throws Exception {
        try (UdpNode a = UdpNode.start("127.0.0.1", 0, 2_000); UdpNode b = UdpNode.start("127.0.0.1", 0, 2_000);
                UdpNode c = UdpNode.start("127.0.0.1", 0, 2_000)) {
            b.join(a.address()).get(5, TimeUnit.SECONDS);
            c.join(a.address()).get(5, TimeUnit.SECONDS);
            long expires = System.currentTimeMillis() + 60_000;
            int kept = b.node().store("ffn.3", "1", "127.0.0.1:4711", expires).get(5, TimeUnit.SECONDS);
            assertEquals(3, kept, "all three peers are among the 5 closest");
            Map<String, Stored> found = c.node().get("ffn.3").get(5, TimeUnit.SECONDS);
            assertEquals(Map.of("1", new Stored("127.0.0.1:4711", expires)), found);
            // a request and its reply, field by field, through the codec and the sockets
            Reply r = a.transport().call(UdpNode.peer(b.address()), new FindValue(UdpNode.peer(a.address()), "ffn.3"))
                    .get(5, TimeUnit.SECONDS);
            assertEquals(found, r.values());
            assertEquals(0, a.transport().malformed() + b.transport().malformed() + c.transport().malformed());
        }
    }

    @Test
    void malformedDatagramsAreCountedAndDroppedAndThePeerKeepsAnswering() throws Exception {
        try (UdpNode a = UdpNode.start("127.0.0.1", 0, 2_000); DatagramSocket junk = new DatagramSocket(0)) {
            InetSocketAddress to = UdpTransport.parse(a.address());
            byte[] valid = DhtCodec.request(7, new Ping(new Peer(1, "127.0.0.1:9")), UdpTransport.MAX_DATAGRAM);
            byte[] hugeString = Arrays.copyOf(valid, valid.length);
            ByteBuffer.wrap(hugeString).putShort(23, (short) 0xffff); // the sender's address claims 65,535 bytes
            List<byte[]> bad = List.of(
                    "hello, not a DHT".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    Arrays.copyOf(valid, valid.length - 3), // truncated
                    hugeString,
                    new byte[UdpTransport.MAX_DATAGRAM + 100], // over the cap (and all zeros)
                    new byte[0]);
            for (byte[] d : bad) {
                junk.send(new DatagramPacket(d, d.length, to));
            }
            // one receive thread takes datagrams in order: once a later request is answered, the junk has been seen
            try (UdpNode b = UdpNode.start("127.0.0.1", 0, 2_000)) {
                Reply r = b.transport().call(UdpNode.peer(a.address()), new Ping(UdpNode.peer(b.address()))).get(5, TimeUnit.SECONDS);
                assertTrue(r.closer().isEmpty());
            }
            assertEquals(bad.size(), a.transport().malformed());
            assertEquals(bad.size() + 1, a.transport().received());
        }
    }

    @Test
    void withASecretOnlyPeersThatKnowItAreHeard() throws Exception {
        byte[] secret = "the-projects-experts-token".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (UdpNode a = UdpNode.start("127.0.0.1", 0, 2_000, secret); UdpNode b = UdpNode.start("127.0.0.1", 0, 2_000, secret);
                UdpNode stranger = UdpNode.start("127.0.0.1", 0, 300, "a-guessed-token".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                UdpNode plain = UdpNode.start("127.0.0.1", 0, 300); DatagramSocket forger = new DatagramSocket(0)) {
            b.join(a.address()).get(5, TimeUnit.SECONDS);
            long expires = System.currentTimeMillis() + 60_000;
            assertEquals(2, b.node().store("ffn.1", "2", "127.0.0.1:4711", expires).get(5, TimeUnit.SECONDS));
            assertEquals(Map.of("2", new Stored("127.0.0.1:4711", expires)), a.node().get("ffn.1").get(5, TimeUnit.SECONDS));

            // a peer with another secret, and one with none: their requests go unanswered and they learn nothing
            for (UdpNode outsider : List.of(stranger, plain)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> outsider.transport()
                        .call(UdpNode.peer(a.address()), new Store(UdpNode.peer(outsider.address()), "ffn.1", "2", "6.6.6.6:1", expires + 1))
                        .get(5, TimeUnit.SECONDS));
                assertInstanceOf(TimeoutException.class, e.getCause());
            }
            // a tagged datagram changed in one byte fails its tag
            byte[] valid = DhtCodec.request(9, new Ping(UdpNode.peer(plain.address())), UdpTransport.MAX_DATAGRAM);
            byte[] forged = Arrays.copyOf(valid, valid.length + UdpTransport.TAG_BYTES);
            forger.send(new DatagramPacket(forged, forged.length, UdpTransport.parse(a.address())));
            Reply r = b.transport().call(UdpNode.peer(a.address()), new Ping(UdpNode.peer(b.address()))).get(5, TimeUnit.SECONDS);
            assertTrue(r.closer().stream().noneMatch(p -> p.address().equals(stranger.address()) || p.address().equals(plain.address())),
                    "outsiders are not in the routing table: " + r.closer());
            assertEquals(3, a.transport().unauthenticated(), "the stranger's, the plain peer's and the forged datagram");
            assertEquals(Map.of("2", new Stored("127.0.0.1:4711", expires)), b.node().get("ffn.1").get(5, TimeUnit.SECONDS),
                    "the outsiders' stores changed nothing");
            assertEquals(0, a.transport().malformed(), "refused before decoding");
        }
    }

    @Test
    void aCallToNobodyTimesOut() throws Exception {
        int silentPort;
        try (DatagramSocket s = new DatagramSocket(0)) {
            silentPort = s.getLocalPort(); // bound, so nothing else takes it, and never answering
            try (UdpNode a = UdpNode.start("127.0.0.1", 0, 200)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> a.transport()
                        .call(UdpNode.peer("127.0.0.1:" + silentPort), new Ping(UdpNode.peer(a.address()))).get(5, TimeUnit.SECONDS));
                assertInstanceOf(TimeoutException.class, e.getCause());
            }
        }
    }

    @Test
    void badAddressesAreRefusedWithTheirText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UdpTransport.parse("localhost"));
        assertTrue(e.getMessage().contains("'localhost' is not host:port"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> UdpTransport.parse("h:99999"));
        assertTrue(e.getMessage().contains("outside 1..65535"), e.getMessage());
    }
}
