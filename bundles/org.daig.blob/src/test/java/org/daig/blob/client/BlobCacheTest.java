package org.daig.blob.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.daig.blob.FileBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobCacheTest {

    @TempDir
    Path dir;
    private StoreServer server;
    private BlobClient client;
    private Path cacheDir;

    @BeforeEach
    void start() throws IOException {
        server = new StoreServer(new FileBlobStore(dir.resolve("server"), 1L << 30, 0));
        client = new BlobClient(server.base());
        client.setRetryDelay(Duration.ofMillis(1));
        cacheDir = dir.resolve("cache");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String blob(int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return server.store.write(new ByteArrayInputStream(data)).id();
    }

    private List<String> cached() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aMissDownloadsAVerifiedFileAndAHitDoesNot() throws Exception {
        String a = blob(1000, 1);
        BlobCache cache = new BlobCache(cacheDir, 10_000, client);

        Path file = cache.get(a);

        assertEquals(cacheDir.resolve(a), file);
        assertArrayEquals(Files.readAllBytes(server.store.file(a)), Files.readAllBytes(file));
        assertEquals(file, cache.get(a));
        assertEquals(1, server.count("GET"));
        assertEquals(1000, cache.size());
    }

    @Test
    void theLeastRecentlyUsedBlobMakesRoom() throws Exception {
        String a = blob(1000, 1);
        String b = blob(1000, 2);
        String c = blob(1000, 3);
        BlobCache cache = new BlobCache(cacheDir, 2500, client);

        cache.get(a);
        cache.get(b);
        cache.get(a); // a is now used more recently than b
        cache.get(c);

        assertEquals(List.of(a, c).stream().sorted().toList(), cached());
        assertEquals(2000, cache.size());
        assertEquals(3, server.count("GET"));
    }

    @Test
    void aRestartedCacheKnowsItsFilesAndTheirLastUse() throws Exception {
        String a = blob(1000, 1);
        String b = blob(1000, 2);
        String c = blob(1000, 3);
        BlobCache first = new BlobCache(cacheDir, 2500, client);
        first.get(a);
        first.get(b);
        Files.setLastModifiedTime(cacheDir.resolve(a), FileTime.fromMillis(2_000_000_000_000L));
        Files.setLastModifiedTime(cacheDir.resolve(b), FileTime.fromMillis(1_000_000_000_000L)); // b was used longer ago
        Files.write(cacheDir.resolve(c + ".part"), new byte[10]); // a download cut by the restart

        BlobCache restarted = new BlobCache(cacheDir, 2500, client);
        assertEquals(2000, restarted.size());
        restarted.get(a);
        assertEquals(2, server.count("GET"), "a was served from disk");
        restarted.get(c);

        assertEquals(List.of(a, c).stream().sorted().toList(), cached());
    }

    @Test
    void aBlobBiggerThanTheCacheIsRefusedWithTheFix() throws Exception {
        String big = blob(3000, 4);
        BlobCache cache = new BlobCache(cacheDir, 2500, client);

        IOException e = assertThrows(IOException.class, () -> cache.get(big));

        assertTrue(e.getMessage().contains("raise the cache size"), e.getMessage());
        assertTrue(e.getMessage().contains(big), e.getMessage());
        assertEquals(List.of(), cached());
        assertEquals(0, server.count("GET"));
    }

    @Test
    void concurrentGetsOfOneBlobDownloadItOnce() throws Exception {
        String a = blob(300_000, 5);
        BlobCache cache = new BlobCache(cacheDir, 1_000_000, client);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Path>> gets = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                gets.add(() -> cache.get(a));
            }
            for (Future<Path> result : threads.invokeAll(gets)) {
                assertEquals(cacheDir.resolve(a), result.get());
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1, server.count("GET"));
        assertEquals(300_000, cache.size());
        assertFalse(Files.exists(cacheDir.resolve(a + ".part")));
    }
}
