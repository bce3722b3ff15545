package org.daig.experts.dht;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import org.daig.experts.dht.DhtMessage.Reply;
import org.daig.experts.dht.DhtMessage.Request;

/**
 * Many DHT peers in one JVM, on one thread, in simulated time: every message is an event that arrives
 * {@code delayMillis} (plus up to {@code jitterMillis}) after it was sent, or is dropped with
 * probability {@code dropRate}; a call to a peer that is gone or a dropped message fails after
 * {@code timeoutMillis}. Events run in time order (ties in the order they were scheduled), and all
 * randomness comes from one seeded generator, so a run is the same every time: tests drive it with
 * {@link #runUntilDone} instead of sleeping. Not thread-safe: use it from one thread.
 */
public final class SimNetwork implements LongSupplier {

    /** The simulated link: one-way delay and jitter, drop probability, the caller's timeout. */
    public record Link(double delayMillis, double jitterMillis, double dropRate, long timeoutMillis) {

        public Link {
            if (delayMillis < 0 || jitterMillis < 0 || dropRate < 0 || dropRate >= 1 || timeoutMillis <= 0) {
                throw new IllegalArgumentException("simulated link needs delay, jitter >= 0, 0 <= drop < 1, timeout > 0: " + this);
            }
        }
    }

    private record Event(double at, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Double.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final Link link;
    private final SplittableRandom random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Map<String, DhtTransport.Handler> online = new HashMap<>();
    private double now;
    private long seq;
    private long messages;
    private long dropped;

    public SimNetwork(Link link, long seed) {
        this.link = link;
        this.random = new SplittableRandom(seed);
    }

    /** Simulated time in milliseconds (the DHT's clock for every node of this network). */
    @Override
    public long getAsLong() {
        return (long) now;
    }

    /** Simulated time with its fraction, for latency figures. */
    public double nowExact() {
        return now;
    }

    public SplittableRandom random() {
        return random;
    }

    /** Puts a node on the network at {@code peer}'s address; its calls go out through the returned transport. */
    public DhtTransport connect(Peer peer, DhtTransport.Handler handler) {
        if (online.putIfAbsent(peer.address(), handler) != null) {
            throw new IllegalArgumentException("address " + peer.address() + " is already on the simulated network");
        }
        return (to, request) -> call(peer.address(), to, request);
    }

    /** Takes the peer at this address off the network: calls to it time out from now on. */
    public void disconnect(String address) {
        online.remove(address);
    }

    public boolean isOnline(String address) {
        return online.containsKey(address);
    }

    public long messages() {
        return messages;
    }

    public long dropped() {
        return dropped;
    }

    /** Runs {@code action} at simulated time {@code at} (not before now). */
    public void schedule(double at, Runnable action) {
        events.add(new Event(Math.max(at, now), seq++, action));
    }

    private CompletableFuture<Reply> call(String fromAddress, Peer to, Request request) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        messages++;
        double sent = now;
        if (random.nextDouble() < link.dropRate()) {
            dropped++;
            failLater(reply, sent, to);
            return reply;
        }
        schedule(now + hop(), () -> {
            DhtTransport.Handler handler = online.get(to.address());
            if (handler == null || !online.containsKey(fromAddress)) {
                failLater(reply, sent, to);
                return;
            }
            Reply r = handler.handle(request);
            if (random.nextDouble() < link.dropRate()) {
                dropped++;
                failLater(reply, sent, to);
                return;
            }
            schedule(now + hop(), () -> reply.complete(r));
        });
        return reply;
    }

    private void failLater(CompletableFuture<Reply> reply, double sent, Peer to) {
        schedule(sent + link.timeoutMillis(), () -> reply.completeExceptionally(
                new TimeoutException("no answer from " + to + " within " + link.timeoutMillis() + " ms (simulated)")));
    }

    private double hop() {
        return link.delayMillis() + (link.jitterMillis() > 0 ? random.nextDouble() * link.jitterMillis() : 0);
    }

    /** Runs events until the future is done; throws IllegalStateException if the events run out first. */
    public <T> T runUntilDone(CompletableFuture<T> future) {
        while (!future.isDone()) {
            if (!runOne()) {
                throw new IllegalStateException("simulated network went quiet at " + now + " ms before the result arrived");
            }
        }
        return future.join();
    }

    /** Runs every event due up to {@code time}, then sets the clock to it. */
    public void runUntil(double time) {
        while (!events.isEmpty() && events.peek().at() <= time) {
            runOne();
        }
        now = Math.max(now, time);
    }

    private boolean runOne() {
        Event e = events.poll();
        if (e == null) {
            return false;
        }
        now = e.at();
        e.action().run();
        return true;
    }
}
