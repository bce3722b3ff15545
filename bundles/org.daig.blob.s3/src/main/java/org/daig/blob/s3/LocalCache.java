package org.daig.blob.s3;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 store's local folder: {@code blobs/<id>} verified copies for local readers (bounded, least
 * recently used out; a file handed out in the last {@link #GRACE} is never removed, so a reader
 * that got its path has time to open it), {@code uploads/<id>-<offset>.tail} the partial last part
 * of each unfinished upload, {@code tmp/} files being written.
 */
final class LocalCache {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCache.class);
    static final Duration GRACE = Duration.ofMinutes(10);

    private final Path blobs;
    private final Path uploads;
    private final Path tmp;
    private final long maxBytes;
    private final Clock clock;

    LocalCache(Path root, long maxBytes, Clock clock) throws IOException {
        Path dir = root.toAbsolutePath().normalize();
        this.blobs = dir.resolve("blobs");
        this.uploads = dir.resolve("uploads");
        this.tmp = dir.resolve("tmp");
        this.maxBytes = maxBytes;
        this.clock = clock;
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(uploads);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new IOException("cannot create the S3 store's local folder " + dir + " (" + e + "): set cacheDir in " + S3StoreConfig.PID
                    + " to a writable folder", e);
        }
        try (DirectoryStream<Path> left = Files.newDirectoryStream(tmp)) {
            for (Path file : left) {
                Files.deleteIfExists(file); // a previous run's, half written
            }
        }
    }

    /** The cached copy of a blob, marked as used now. */
    Optional<Path> blob(String id) {
        Path file = blobs.resolve(id);
        try {
            Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
            return Optional.of(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("Cannot use the cached blob {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    Path newTemp(String kind) throws IOException {
        return Files.createTempFile(tmp, kind + "-", ".tmp");
    }

    /** Makes a verified file the cached copy of blob {@code id}, then trims the cache; empty when it is larger than the cache. */
    Optional<Path> admit(Path verified, String id) throws IOException {
        if (Files.size(verified) > maxBytes) {
            Files.deleteIfExists(verified);
            return Optional.empty();
        }
        Path target = blobs.resolve(id);
        try {
            Files.setLastModifiedTime(verified, FileTime.from(clock.instant()));
            Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + verified + " to " + target + " atomically: keep cacheDir on one file system", e);
        }
        trim();
        return Optional.of(target);
    }

    void remove(String id) throws IOException {
        Files.deleteIfExists(blobs.resolve(id));
    }

    /** Removes the least recently used copies until the cache fits, sparing those used within {@link #GRACE}. */
    synchronized void trim() {
        List<Path> files = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(blobs)) {
            for (Path file : all) {
                files.add(file);
                total += Files.size(file);
            }
        } catch (IOException e) {
            LOG.warn("Cannot list the blob cache {}: {}", blobs, e.toString());
            return;
        }
        if (total <= maxBytes) {
            return;
        }
        files.sort(Comparator.comparing(LocalCache::modified));
        Instant spare = clock.instant().minus(GRACE);
        for (Path file : files) {
            if (total <= maxBytes || !modified(file).isBefore(spare)) {
                break;
            }
            try {
                long size = Files.size(file);
                Files.deleteIfExists(file);
                total -= size;
            } catch (IOException e) {
                LOG.warn("Cannot remove {} from the blob cache: {}", file, e.toString());
            }
        }
    }

    private static Instant modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    // ---- the partial last parts of unfinished uploads ------------------------------------------

    /** The file holding the bytes of upload {@code id} from {@code offset} on (the part not yet sent). */
    Path tail(String id, long offset) {
        return uploads.resolve(id + "-" + offset + ".tail");
    }

    /** Every tail file of upload {@code id}. */
    List<Path> tails(String id) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(uploads, id + "-*.tail")) {
            files.forEach(found::add);
        }
        return found;
    }

    /** Every tail file, of every upload. */
    List<Path> allTails() throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(uploads, "*.tail")) {
            files.forEach(found::add);
        }
        return found;
    }

    void removeTails(String id) throws IOException {
        for (Path tail : tails(id)) {
            Files.deleteIfExists(tail);
        }
    }
}
