package org.daig.coordinator.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * The tasks of one unfinished project whose accepted result carried each delta, by the delta id's
 * 32-bit hash: where the copy check looks first. A database index on the delta did this before, and
 * its key (a SHA-256) put every accepted result on an index page of its own, written whole at the
 * next commit: a third of the task exchange's work at 10,000 providers (docs/measurements.md).
 *
 * <p>A hash only names candidates. The caller confirms each against the stored result, so a
 * collision, a result taken back since or a group commit that failed never counts as a copy.
 * Open addressing over plain arrays: about 13 bytes a slot, at most half of them used.
 */
final class AcceptedDeltas {

    private int[] hashes = new int[64];
    /** round in the upper 32 bits, shard in the lower. */
    private long[] tasks = new long[64];
    private boolean[] used = new boolean[64];
    private int size;

    /** Notes that task ({@code round}, {@code shard})'s accepted result carries {@code delta}. */
    synchronized void add(String delta, int round, int shard) {
        if (2 * (size + 1) > used.length) {
            grow();
        }
        put(delta.hashCode(), (long) round << 32 | (shard & 0xffffffffL));
        size++;
    }

    /** The tasks, as {round, shard}, whose accepted result may carry {@code delta} (to be confirmed). */
    synchronized List<int[]> candidates(String delta) {
        List<int[]> found = new ArrayList<>(1);
        int hash = delta.hashCode();
        for (int i = slot(hash, used.length); used[i]; i = (i + 1) & (used.length - 1)) {
            if (hashes[i] == hash) {
                found.add(new int[] { (int) (tasks[i] >> 32), (int) tasks[i] });
            }
        }
        return found;
    }

    synchronized int size() {
        return size;
    }

    private void put(int hash, long task) {
        int i = slot(hash, used.length);
        while (used[i]) {
            i = (i + 1) & (used.length - 1);
        }
        used[i] = true;
        hashes[i] = hash;
        tasks[i] = task;
    }

    private void grow() {
        int[] oldHashes = hashes;
        long[] oldTasks = tasks;
        boolean[] oldUsed = used;
        hashes = new int[oldUsed.length * 2];
        tasks = new long[oldUsed.length * 2];
        used = new boolean[oldUsed.length * 2];
        for (int i = 0; i < oldUsed.length; i++) {
            if (oldUsed[i]) {
                put(oldHashes[i], oldTasks[i]);
            }
        }
    }

    /** A slot from the hash's upper bits after a multiplicative mix (String hashes of hex ids differ mostly in their low bits). */
    private static int slot(int hash, int capacity) {
        return (hash * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(capacity));
    }
}
