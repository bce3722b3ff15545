package org.daig.blob.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Verified blobs on local disk, at most {@code maxBytes} of them: a miss downloads through a
 * {@link BlobClient} (once, however many threads ask), and room is made by deleting the least
 * recently used blobs. A file's last-modified time records its last use, so the order survives a
 * restart, when the folder is scanned again. Files only ever get their id as name after their hash
 * was checked, so what the scan finds is trusted. A returned file may be evicted by later gets once
 * the cache is full; use it (or open it) right away.
 */
public final class BlobCache {

    private final Path dir;
    private final long maxBytes;
    private final BlobClient client;
    /** id to size, least recently used first. Guarded by this. */
    private final LinkedHashMap<String, Long> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, CompletableFuture<Path>> downloads = new HashMap<>();
    private long used;
    /** Bytes promised to downloads in progress. */
    private long reserved;

    public BlobCache(Path dir, long maxBytes, BlobClient client) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("the blob cache size must be at least 1 byte, not " + maxBytes);
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.client = client;
        Files.createDirectories(dir);
        scan();
    }

    /** Picks up the blobs of an earlier run, oldest use first; drops unfinished downloads. */
    private void scan() throws IOException {
        record Found(String id, long size, FileTime used) {
        }
        List<Found> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                if (name.endsWith(".part") && attributes.isRegularFile()) {
                    Files.deleteIfExists(file);
                } else if (BlobClient.isId(name) && attributes.isRegularFile()) {
                    found.add(new Found(name, attributes.size(), attributes.lastModifiedTime()));
                }
            }
        }
        found.sort(Comparator.comparing(Found::used));
        synchronized (this) {
            for (Found f : found) {
                entries.put(f.id(), f.size());
                used += f.size();
            }
        }
    }

    /** Bytes of the blobs in the cache. */
    public synchronized long size() {
        return used;
    }

    public Path folder() {
        return dir;
    }

    /** The cached file of a blob, or null when the cache lacks it (nothing is downloaded). */
    public synchronized Path cached(String id) {
        Path file = dir.resolve(id);
        return BlobClient.isId(id) && entries.get(id) != null && Files.isRegularFile(file) ? file : null;
    }

    /**
     * Takes a file made on this machine as blob {@code id} (rebuilt rather than downloaded), moving
     * it into the cache; IOException, and the file left where it is, when its SHA-256 is not {@code id}.
     */
    public Path put(String id, Path made) throws IOException {
        if (!BlobClient.isId(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a blob id: use the lower-case hex SHA-256 of the bytes");
        }
        String actual = BlobClient.sha256(made);
        if (!actual.equals(id)) {
            throw new IOException("the file made as blob " + id + " has SHA-256 " + actual);
        }
        long size = Files.size(made);
        List<String> victims;
        synchronized (this) {
            Long had = entries.remove(id);
            used -= had == null ? 0 : had;
            victims = makeRoom(size);
            Files.move(made, dir.resolve(id), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            entries.put(id, size);
            used += size;
        }
        delete(victims);
        return dir.resolve(id);
    }

    /** A verified local file with the blob's bytes, downloaded first if the cache lacks it. */
    public Path get(String id) throws IOException {
        if (!BlobClient.isId(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a blob id: use the lower-case hex SHA-256 of the bytes");
        }
        Path file = dir.resolve(id);
        CompletableFuture<Path> mine = null;
        CompletableFuture<Path> theirs;
        synchronized (this) {
            if (entries.get(id) != null) { // get() also marks it as most recently used
                if (Files.isRegularFile(file)) {
                    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
                    return file;
                }
                used -= entries.remove(id); // deleted behind our back: fetch it again
            }
            theirs = downloads.get(id);
            if (theirs == null) {
                mine = new CompletableFuture<>();
                downloads.put(id, mine);
            }
        }
        if (theirs != null) {
            return await(theirs, id);
        }
        try {
            Path fetched = fetch(id, file);
            mine.complete(fetched);
            return fetched;
        } catch (IOException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (this) {
                downloads.remove(id);
            }
        }
    }

    private Path fetch(String id, Path file) throws IOException {
        BlobClient.Status status = client.status(id);
        if (!status.complete()) {
            throw new IOException("coordinator at " + client.baseUri() + " has no blob " + id
                    + (status.bytes() > 0 ? " (its upload is unfinished)" : ""));
        }
        long size = status.bytes();
        if (size > maxBytes) {
            throw new IOException("blob " + id + " has " + size + " bytes, more than the blob cache in " + dir + " may hold ("
                    + maxBytes + " bytes): raise the cache size");
        }
        List<String> victims;
        synchronized (this) {
            victims = makeRoom(size);
            reserved += size;
        }
        delete(victims);
        boolean stored = false;
        try {
            client.download(id, file, null);
            long actual = Files.size(file);
            synchronized (this) {
                reserved -= size;
                stored = true;
                entries.put(id, actual);
                used += actual;
            }
            return file;
        } finally {
            if (!stored) {
                synchronized (this) {
                    reserved -= size;
                }
            }
        }
    }

    /** Takes least recently used entries out until {@code bytes} more fit; returns their ids. */
    private List<String> makeRoom(long bytes) {
        List<String> victims = new ArrayList<>();
        Iterator<Map.Entry<String, Long>> eldest = entries.entrySet().iterator();
        while (used + reserved + bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Long> entry = eldest.next();
            victims.add(entry.getKey());
            used -= entry.getValue();
            eldest.remove();
        }
        return victims;
    }

    private void delete(List<String> ids) {
        for (String id : ids) {
            try {
                Files.deleteIfExists(dir.resolve(id));
            } catch (IOException e) {
                // still open somewhere (Windows): the next scan counts it again
            }
        }
    }

    private static Path await(CompletableFuture<Path> download, String id) throws IOException {
        try {
            return download.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the download of " + id);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            throw new IOException("the download of " + id + " failed: " + cause, cause);
        }
    }
}
