package org.daig.experts.dht;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.daig.experts.dht.DhtMessage.FindNode;
import org.daig.experts.dht.DhtMessage.FindValue;
import org.daig.experts.dht.DhtMessage.Ping;
import org.daig.experts.dht.DhtMessage.Reply;
import org.daig.experts.dht.DhtMessage.Request;
import org.daig.experts.dht.DhtMessage.Store;

/**
 * One Kademlia peer: routing table, the values it keeps for others (each with its expiry), and the
 * iterative lookups behind {@link #store} and {@link #get}. A lookup keeps {@code alpha} requests in
 * flight to the closest peers not yet asked and ends when the {@code k} closest it knows have all
 * answered (or, for a value, once {@code quorum} holders answered). Peers that fail 3 calls in a row leave the routing
 * table. Thread-safe: a real transport may deliver requests on its own threads.
 */
public final class KademliaNode implements ExpertDht, DhtTransport.Handler {

    /** Longest key and value kept: uids are at most 128 characters, addresses far shorter. */
    public static final int MAX_KEY = 160;
    public static final int MAX_VALUE = 256;
    /** Most subkeys under one key: a prefix has one per index of the next grid dimension. */
    public static final int MAX_SUBKEYS = 65_536;

    /**
     * Kademlia's parameters: bucket size k, requests in flight alpha, copies stored per key, and how
     * many holders a get hears before it answers (it merges what they hold).
     */
    public record Settings(int k, int alpha, int replicas, int quorum, int maxKeys) {

        public static final Settings DEFAULT = new Settings(20, 3, 5, 1, 200_000);

        public Settings {
            if (k < 1 || alpha < 1 || replicas < 1 || replicas > k || quorum < 1 || quorum > replicas || maxKeys < 1) {
                throw new IllegalArgumentException("DHT settings need k, alpha, replicas, quorum >= 1, replicas <= k, quorum <= replicas: "
                        + this);
            }
        }
    }

    private final Peer self;
    private final Settings settings;
    private final LongSupplier clock;
    private final RoutingTable table;
    private final Map<String, Map<String, Stored>> values = new HashMap<>();
    private DhtTransport transport;
    private final AtomicInteger requestsSent = new AtomicInteger();

    public KademliaNode(Peer self, Settings settings, LongSupplier clock) {
        this.self = self;
        this.settings = settings;
        this.clock = clock;
        this.table = new RoutingTable(self.id(), settings.k());
    }

    /** Connects the node to its network; called once, before any lookup. */
    public void attach(DhtTransport transport) {
        if (this.transport != null) {
            throw new IllegalStateException("DHT node " + self + " is already attached");
        }
        this.transport = transport;
    }

    public Peer self() {
        return self;
    }

    /** The key's 64-bit position in the id space: the first 8 bytes of its SHA-256. */
    public static long keyId(String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long id = 0;
            for (int i = 0; i < 8; i++) {
                id = (id << 8) | (h[i] & 0xff);
            }
            return id;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Joins through a known peer: a lookup of our own id fills the routing table on the way. */
    public CompletableFuture<Integer> join(Peer bootstrap) {
        table.seen(bootstrap);
        return new Lookup(self.id(), null).start().thenApply(found -> table.size());
    }

    @Override
    public long now() {
        return clock.getAsLong();
    }

    @Override
    public CompletableFuture<Integer> store(String key, String subkey, String value, long expiresAt) {
        checkEntry(key, subkey, value);
        long id = keyId(key);
        return new Lookup(id, null).start().thenCompose(found -> {
            // the replicas closest to the key among the peers that answered and this node itself
            List<Peer> targets = new ArrayList<>();
            boolean selfKeeps = false;
            for (Peer p : found.closest) {
                if (!selfKeeps && Long.compareUnsigned(self.id() ^ id, p.id() ^ id) < 0 && targets.size() < settings.replicas()) {
                    selfKeeps = true;
                }
                if (targets.size() + (selfKeeps ? 1 : 0) < settings.replicas()) {
                    targets.add(p);
                }
            }
            selfKeeps |= targets.size() < settings.replicas();
            if (self.isClient()) { // nobody can ask a client-mode peer for what it keeps: the replicas are all others
                selfKeeps = false;
                targets = found.closest.subList(0, Math.min(settings.replicas(), found.closest.size()));
            }
            List<CompletableFuture<Boolean>> acks = new ArrayList<>();
            if (selfKeeps) {
                acks.add(CompletableFuture.completedFuture(keep(key, subkey, value, expiresAt)));
            }
            Store request = new Store(self, key, subkey, value, expiresAt);
            for (Peer p : targets) {
                acks.add(send(p, request).handle((reply, error) -> error == null && reply.stored()));
            }
            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .thenApply(v -> (int) acks.stream().filter(CompletableFuture::join).count());
        });
    }

    @Override
    public CompletableFuture<Map<String, Stored>> get(String key) {
        Map<String, Stored> local = liveValues(key);
        if (!local.isEmpty()) {
            return CompletableFuture.completedFuture(local);
        }
        return new Lookup(keyId(key), key).start().thenApply(found -> found.values);
    }

    /** How many requests this node has sent (for the benchmark's cost per lookup). */
    public int requestsSent() {
        return requestsSent.get();
    }

    public int knownPeers() {
        return table.size();
    }

    /** How many keys this node keeps for the DHT (expired ones included until they are next touched). */
    public synchronized int keptKeys() {
        return values.size();
    }

    @Override
    public Reply handle(Request request) {
        if (!request.from().isClient()) { // a client-mode peer cannot be called back: it never becomes a contact
            table.seen(request.from());
        }
        if (request instanceof Ping) {
            return Reply.EMPTY;
        } else if (request instanceof FindNode f) {
            return new Reply(table.closest(f.target(), settings.k(), f.from().id()), Map.of(), false);
        } else if (request instanceof FindValue f) {
            Map<String, Stored> found = liveValues(f.key());
            if (!found.isEmpty()) {
                return new Reply(List.of(), found, false);
            }
            return new Reply(table.closest(keyId(f.key()), settings.k(), f.from().id()), Map.of(), false);
        } else if (request instanceof Store s) {
            boolean ok;
            try {
                checkEntry(s.key(), s.subkey(), s.value());
                ok = keep(s.key(), s.subkey(), s.value(), s.expiresAt());
            } catch (IllegalArgumentException e) {
                ok = false; // a peer's bad entry is refused, not thrown back across the network
            }
            return new Reply(List.of(), Map.of(), ok);
        }
        throw new IllegalArgumentException("unknown DHT request " + request);
    }

    private static void checkEntry(String key, String subkey, String value) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY) {
            throw new IllegalArgumentException("DHT key must have 1.." + MAX_KEY + " characters: " + key);
        }
        if (subkey == null || subkey.length() > MAX_KEY) {
            throw new IllegalArgumentException("DHT subkey of '" + key + "' must have at most " + MAX_KEY + " characters");
        }
        if (value == null || value.length() > MAX_VALUE) {
            throw new IllegalArgumentException("DHT value of '" + key + "' must have at most " + MAX_VALUE + " characters");
        }
    }

    private synchronized boolean keep(String key, String subkey, String value, long expiresAt) {
        long now = now();
        if (expiresAt <= now) {
            return false;
        }
        Map<String, Stored> subkeys = values.get(key);
        if (subkeys == null) {
            if (values.size() >= settings.maxKeys()) {
                purgeExpired(now);
                if (values.size() >= settings.maxKeys()) {
                    return false;
                }
            }
            subkeys = new HashMap<>();
            values.put(key, subkeys);
        }
        Stored old = subkeys.get(subkey);
        if (old != null && old.expiresAt() >= expiresAt) {
            return true; // we already hold something as fresh; a late, older announcement must not win
        }
        if (old == null && subkeys.size() >= MAX_SUBKEYS) {
            return false;
        }
        subkeys.put(subkey, new Stored(value, expiresAt));
        return true;
    }

    private synchronized Map<String, Stored> liveValues(String key) {
        Map<String, Stored> subkeys = values.get(key);
        if (subkeys == null) {
            return Map.of();
        }
        long now = now();
        subkeys.values().removeIf(s -> s.expiresAt() <= now);
        if (subkeys.isEmpty()) {
            values.remove(key);
            return Map.of();
        }
        return Map.copyOf(subkeys);
    }

    private void purgeExpired(long now) {
        for (Iterator<Map<String, Stored>> it = values.values().iterator(); it.hasNext();) {
            Map<String, Stored> subkeys = it.next();
            subkeys.values().removeIf(s -> s.expiresAt() <= now);
            if (subkeys.isEmpty()) {
                it.remove();
            }
        }
    }

    private CompletableFuture<Reply> send(Peer to, Request request) {
        requestsSent.incrementAndGet();
        return transport.call(to, request).whenComplete((reply, error) -> {
            if (error == null) {
                table.seen(to);
            } else {
                table.failed(to);
            }
        });
    }

    /** What a lookup ends with: the closest peers that answered, and the values found (FindValue). */
    private record Found(List<Peer> closest, Map<String, Stored> values) {
    }

    /** One iterative lookup; its state is guarded by its own lock, as replies may come on any thread. */
    private final class Lookup {

        private final long target;
        private final String key;
        private final List<Peer> shortlist = new ArrayList<>();
        private final Map<Long, Integer> state = new HashMap<>(); // 0 new, 1 asked, 2 answered, 3 failed
        private final CompletableFuture<Found> result = new CompletableFuture<>();
        private int inFlight;
        private final Map<String, Stored> found = new HashMap<>();
        private int holders;

        Lookup(long target, String key) {
            this.target = target;
            this.key = key;
        }

        CompletableFuture<Found> start() {
            synchronized (this) {
                for (Peer p : table.closest(target, settings.k(), self.id())) {
                    add(p);
                }
            }
            step();
            return result;
        }

        private void add(Peer p) {
            if (p.id() == self.id() || state.containsKey(p.id())) {
                return;
            }
            state.put(p.id(), 0);
            int i = 0;
            while (i < shortlist.size() && Long.compareUnsigned(shortlist.get(i).id() ^ target, p.id() ^ target) < 0) {
                i++;
            }
            shortlist.add(i, p);
        }

        private void step() {
            List<Peer> toAsk = new ArrayList<>();
            Found done = null;
            synchronized (this) {
                if (result.isDone()) {
                    return;
                }
                int considered = 0;
                boolean pending = false;
                for (Peer p : shortlist) {
                    int s = state.get(p.id());
                    if (s == 3) {
                        continue;
                    }
                    if (considered++ >= settings.k()) {
                        break;
                    }
                    if (s == 0 && inFlight + toAsk.size() < settings.alpha()) {
                        state.put(p.id(), 1);
                        toAsk.add(p);
                    } else if (s <= 1) {
                        pending = true;
                    }
                }
                inFlight += toAsk.size();
                if (toAsk.isEmpty() && !pending && inFlight == 0) {
                    done = new Found(answered(), Map.copyOf(found));
                }
            }
            if (done != null) {
                result.complete(done);
                return;
            }
            Request request = key == null ? new FindNode(self, target) : new FindValue(self, key);
            for (Peer p : toAsk) {
                send(p, request).whenComplete((reply, error) -> answered(p, reply, error));
            }
        }

        private List<Peer> answered() {
            List<Peer> out = new ArrayList<>();
            for (Peer p : shortlist) {
                if (state.get(p.id()) == 2 && out.size() < settings.k()) {
                    out.add(p);
                }
            }
            return out;
        }

        private void answered(Peer p, Reply reply, Throwable error) {
            Found done = null;
            synchronized (this) {
                inFlight--;
                if (error != null) {
                    state.put(p.id(), 3);
                } else {
                    state.put(p.id(), 2);
                    if (!reply.values().isEmpty()) {
                        // merge, the later expiry winning per subkey: a holder that missed the latest
                        // announcement (the closest peers changed since) must not decide alone
                        long now = now();
                        boolean any = false;
                        for (Map.Entry<String, Stored> v : reply.values().entrySet()) {
                            if (v.getValue().expiresAt() > now) {
                                any = true;
                                found.merge(v.getKey(), v.getValue(), (a, b) -> a.expiresAt() >= b.expiresAt() ? a : b);
                            }
                        }
                        if (any && ++holders >= settings.quorum()) {
                            done = new Found(answered(), Map.copyOf(found));
                        }
                    }
                    for (Peer c : reply.closer()) {
                        add(c);
                    }
                }
            }
            if (done != null) {
                result.complete(done);
            } else {
                step();
            }
        }
    }
}
