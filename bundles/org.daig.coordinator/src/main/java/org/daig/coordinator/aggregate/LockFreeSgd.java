package org.daig.coordinator.aggregate;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DistNet's lock-free asynchronous strategy, as in Project Adam: the updates waiting to be
 * applied are added into one shared parameter array by several threads at once, none waiting for
 * another. Each value is added with an atomic compare-and-set, so concurrent additions never lose
 * one another (Hogwild's racy writes would, and then a restart could not say which updates a
 * version holds). Each update reads, decodes and adds on its own thread: the decoding, the costly
 * part, runs in parallel. Like {@link AsyncSgd}, an update takes the step 1 / (1 + staleness); the
 * updates applied together do not see each other, each is stale against the version they start
 * from. An update that would make that version non-finite or absurd on its own is left out.
 */
public final class LockFreeSgd implements AggregationStrategy {

    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(float[].class);

    private final String name;
    private final ExecutorService pool;
    private final int threads;

    /** @param pool runs the adders; {@code threads} of them at most at once */
    public LockFreeSgd(String name, ExecutorService pool, int threads) {
        this.name = name;
        this.pool = pool;
        this.threads = Math.max(1, threads);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean synchronous() {
        return false;
    }

    @Override
    public Outcome aggregate(float[] current, List<? extends Update> updates, RobustAggregation rule) throws IOException {
        float[] next = current.clone();
        AtomicInteger claimed = new AtomicInteger();
        ConcurrentSkipListSet<Integer> dropped = new ConcurrentSkipListSet<>();
        List<Future<Void>> adders = new ArrayList<>();
        for (int t = 0; t < Math.min(threads, updates.size()); t++) {
            adders.add(pool.submit(() -> {
                for (int k = claimed.getAndIncrement(); k < updates.size(); k = claimed.getAndIncrement()) {
                    if (!add(current, next, updates.get(k))) {
                        dropped.add(k);
                    }
                }
                return null;
            }));
        }
        for (Future<Void> adder : adders) {
            await(adder);
        }
        return new Outcome(next, List.copyOf(dropped));
    }

    /** Adds one update's step into {@code next}; false (nothing added) when it is not sound against {@code current}. */
    private static boolean add(float[] current, float[] next, Update update) throws IOException {
        float[] delta = update.delta();
        if (delta.length != current.length) {
            throw new IOException("an update has " + delta.length + " values, the model " + current.length);
        }
        float scale = (float) AsyncSgd.scale(update.staleness());
        float[] step = new float[delta.length];
        for (int i = 0; i < step.length; i++) {
            step[i] = scale * delta[i];
            if (!(Math.abs(current[i] + step[i]) <= KBatchSyncSgd.ABSURD)) {
                return false;
            }
        }
        for (int i = 0; i < step.length; i++) {
            VALUES.getAndAdd(next, i, step[i]);
        }
        return true;
    }

    private static void await(Future<Void> adder) throws IOException {
        try {
            adder.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while updates were added", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }
}
