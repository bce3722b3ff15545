package org.daig.blob;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empty files made ahead of time, in the quiet between bursts of new uploads, for those uploads to
 * take. On some file systems making a file costs far more than writing it: on the 2-core VM the
 * benchmarks run on, 0.1–0.8 ms of kernel time, depending on the folder, against 0.02–0.03 ms to
 * link one made earlier into place (docs/measurements.md). A grid's uploads come in bursts, at a
 * round's end, between the minutes its volunteers train; a burst of ten thousand paid seconds of
 * CPU for it while the results waited. Made in the quiet, that work leaves the burst.
 *
 * <p>The store makes spares once no upload took one for {@link #QUIET_NANOS}, up to the most one
 * quiet spell's uploads took so far, capped at {@code most}; an upload that finds none left makes
 * its own file, as before. A spare is an empty file in {@code spare/} and never holds data: at
 * start, the empty ones of an earlier run are taken again and anything else there is deleted.
 */
final class SpareFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SpareFiles.class);
    /** How long no upload must have taken a spare before more are made: past a round's end and the next one's start. */
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final Path dir;
    private final int most;
    private final LongSupplier nanoClock;
    private final Queue<Path> ready = new ConcurrentLinkedQueue<>();
    private final AtomicInteger readyCount = new AtomicInteger();
    /** Uploads that asked since the last quiet spell (spare or not): the burst's size. */
    private final AtomicInteger asked = new AtomicInteger();
    private final AtomicLong names = new AtomicLong();
    private final String namesSince = Long.toString(System.currentTimeMillis(), 36);
    private volatile long lastAsked;
    /** The most uploads one burst asked for so far, capped at {@link #most}: how many spares to keep (refill thread only). */
    private int wanted;

    SpareFiles(Path dir, int most, LongSupplier nanoClock) throws IOException {
        this.dir = dir;
        this.most = most;
        this.nanoClock = nanoClock;
        this.lastAsked = nanoClock.getAsLong();
        Files.createDirectories(dir);
        adoptEarlier();
    }

    /** The empty spares an earlier run left are ready again; whatever else is there goes. */
    private void adoptEarlier() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (Files.isRegularFile(file) && Files.size(file) == 0 && readyCount.get() < most) {
                    ready.add(file);
                    readyCount.incrementAndGet();
                } else {
                    Files.deleteIfExists(file);
                }
            }
        }
        wanted = readyCount.get();
    }

    /**
     * Gives a spare the name {@code target} (a new upload's file, which must not exist); false when
     * none is left or it could not be placed: the caller makes the file itself.
     */
    boolean placeAt(Path target) {
        lastAsked = nanoClock.getAsLong();
        asked.incrementAndGet();
        Path spare = ready.poll();
        if (spare == null) {
            return false;
        }
        readyCount.decrementAndGet();
        try {
            // a link and an unlink, not a rename between folders, which locks the whole file system (FileBlobStore.publish)
            Files.createLink(target, spare);
            Files.delete(spare);
            return true;
        } catch (FileAlreadyExistsException e) {
            giveBack(spare);
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("A spare file could not become {}: {}", target, e.toString());
            try {
                Files.deleteIfExists(spare);
            } catch (IOException ignored) {
                // it stays until the next start deletes or takes it
            }
            return false;
        }
    }

    private void giveBack(Path spare) {
        ready.add(spare);
        readyCount.incrementAndGet();
    }

    /** Makes spares while uploads stay quiet, up to what the largest burst so far asked for; called now and then on one thread. */
    void refill() {
        if (nanoClock.getAsLong() - lastAsked < QUIET_NANOS) {
            return;
        }
        wanted = Math.min(most, Math.max(wanted, asked.getAndSet(0)));
        while (readyCount.get() < wanted && nanoClock.getAsLong() - lastAsked >= QUIET_NANOS) {
            Path spare = dir.resolve(namesSince + "-" + names.incrementAndGet());
            try {
                Files.createFile(spare);
            } catch (FileAlreadyExistsException taken) {
                continue; // left by another process on the same folder: take the next number
            } catch (IOException e) {
                LOG.debug("Making a spare file in {} failed: {}", dir, e.toString());
                return; // e.g. a full disk: new uploads make their own files, and report it
            }
            giveBack(spare);
        }
    }

    int ready() {
        return readyCount.get();
    }
}
