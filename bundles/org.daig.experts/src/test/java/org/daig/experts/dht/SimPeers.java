package org.daig.experts.dht;

import java.util.ArrayList;
import java.util.List;

/** A small simulated DHT for tests: {@code n} peers that joined one after another. */
final class SimPeers {

    final SimNetwork net;
    final List<KademliaNode> nodes = new ArrayList<>();

    SimPeers(int n, SimNetwork.Link link, long seed) {
        this(n, link, seed, KademliaNode.Settings.DEFAULT);
    }

    SimPeers(int n, SimNetwork.Link link, long seed, KademliaNode.Settings settings) {
        net = new SimNetwork(link, seed);
        for (int i = 0; i < n; i++) {
            Peer peer = new Peer(net.random().nextLong(), "peer-" + i);
            KademliaNode node = new KademliaNode(peer, settings, net);
            node.attach(net.connect(peer, node));
            if (i > 0) {
                net.runUntilDone(node.join(nodes.get(net.random().nextInt(i)).self()));
            }
            nodes.add(node);
        }
    }

    KademliaNode any() {
        KademliaNode n;
        do {
            n = nodes.get(net.random().nextInt(nodes.size()));
        } while (!net.isOnline(n.self().address()));
        return n;
    }

    /** The peers that hold {@code key} right now, asked directly (no network). */
    List<KademliaNode> holders(String key) {
        List<KademliaNode> out = new ArrayList<>();
        Peer asker = new Peer(0, "test");
        for (KademliaNode n : nodes) {
            if (net.isOnline(n.self().address()) && !n.handle(new DhtMessage.FindValue(asker, key)).values().isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }
}
