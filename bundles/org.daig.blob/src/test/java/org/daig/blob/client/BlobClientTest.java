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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.daig.blob.FileBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobClientTest {

    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;
    private StoreServer server;
    private BlobClient client;

    @BeforeEach
    void start() throws IOException {
        server = new StoreServer(new FileBlobStore(dir.resolve("server"), 1L << 30, 0));
        client = new BlobClient(server.base());
        client.setChunkBytes(CHUNK);
        client.setRetryDelay(Duration.ofMillis(1));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private Path file(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    private List<String> puts() {
        synchronized (server.requests) {
            return server.requests.stream().filter(r -> r.startsWith("PUT")).toList();
        }
    }

    @Test
    void anUploadGoesInChunksAndReturnsTheId() throws Exception {
        byte[] data = bytes(3 * CHUNK + 100, 1);
        List<Long> progress = new ArrayList<>();

        String id = client.upload(file("a.bin", data), progress::add);

        assertEquals(BlobClient.sha256(dir.resolve("a.bin")), id);
        assertArrayEquals(data, Files.readAllBytes(server.store.file(id)));
        assertEquals(List.of("PUT bytes 0-65535/196708", "PUT bytes 65536-131071/196708", "PUT bytes 131072-196607/196708",
                "PUT bytes 196608-196707/196708"), puts());
        assertEquals(List.of(0L, 65536L, 131072L, 196608L, 196708L), progress);
    }

    @Test
    void aFailedChunkResumesFromTheServersOffsetNotFromZero() throws Exception {
        byte[] data = bytes(3 * CHUNK, 2);
        server.failPut = 2; // the second PUT is answered 503 once

        String id = client.upload(file("b.bin", data), null);

        assertArrayEquals(data, Files.readAllBytes(server.store.file(id)));
        assertEquals(List.of("PUT bytes 0-65535/196608", "PUT bytes 65536-131071/196608", "PUT bytes 65536-131071/196608",
                "PUT bytes 131072-196607/196608"), puts(), "after the 503 the client asked HEAD and went on at 65536");
        assertEquals(2, server.count("HEAD"));
    }

    @Test
    void anUploadStartedEarlierIsContinuedWhereTheServerStands() throws Exception {
        byte[] data = bytes(2 * CHUNK + 10, 3);
        Path file = file("c.bin", data);
        String id = BlobClient.sha256(file);
        server.store.append(id, 0, data.length, new ByteArrayInputStream(data, 0, 1000)); // an earlier, broken run
        List<Long> progress = new ArrayList<>();

        assertEquals(id, client.upload(file, progress::add));

        assertEquals(1000L, progress.get(0));
        assertEquals("PUT bytes 1000-66535/131082", puts().get(0));
        assertArrayEquals(data, Files.readAllBytes(server.store.file(id)));
    }

    @Test
    void aBlobTheServerHasIsNotSentAgain() throws Exception {
        byte[] data = bytes(1000, 4);
        String id = server.store.write(new ByteArrayInputStream(data)).id();

        assertEquals(id, client.upload(file("d.bin", data), null));

        assertEquals(List.of(), puts());
    }

    @Test
    void smallAndEmptyFilesGoInOnePlainPut() throws Exception {
        String small = client.upload(file("e.bin", bytes(10, 5)), null);
        String empty = client.upload(file("f.bin", new byte[0]), null);

        assertEquals(List.of("PUT", "PUT"), puts());
        assertEquals(10, server.store.find(small).orElseThrow().size());
        assertEquals(0, server.store.find(empty).orElseThrow().size());
    }

    @Test
    void aFullDiskIsReportedReadablyWithoutRetrying() throws Exception {
        server.close();
        server = new StoreServer(new FileBlobStore(dir.resolve("full"), 1L << 30, Long.MAX_VALUE / 2));
        client = new BlobClient(server.base());

        IOException e = assertThrows(IOException.class, () -> client.upload(file("g.bin", bytes(1000, 6)), null));

        assertTrue(e.getMessage().startsWith("coordinator at " + server.base() + " answered 507"), e.getMessage());
        assertTrue(e.getMessage().contains("minFreeBytes"), e.getMessage());
        assertEquals(1, puts().size());
    }

    @Test
    void aDownloadResumesItsPartFileAndVerifies() throws Exception {
        byte[] data = bytes(200_000, 7);
        String id = server.store.write(new ByteArrayInputStream(data)).id();
        Path target = dir.resolve("out").resolve("blob.bin");
        Files.createDirectories(target.getParent());
        Files.write(dir.resolve("out").resolve("blob.bin.part"), Arrays.copyOf(data, 120_000));

        assertEquals(target, client.download(id, target, null));

        assertArrayEquals(data, Files.readAllBytes(target));
        assertFalse(Files.exists(dir.resolve("out").resolve("blob.bin.part")));
        assertEquals(List.of("GET bytes=120000-"), server.requests);
    }

    @Test
    void aCorruptDownloadIsDiscardedAndNamesTheBlob() throws Exception {
        byte[] data = bytes(200_000, 8);
        String id = server.store.write(new ByteArrayInputStream(data)).id();
        Path target = dir.resolve("corrupt.bin");
        byte[] wrongStart = Arrays.copyOf(data, 1000);
        wrongStart[0] ^= 1;
        Files.write(dir.resolve("corrupt.bin.part"), wrongStart);

        IOException e = assertThrows(IOException.class, () -> client.download(id, target, null));

        assertTrue(e.getMessage().contains(id), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("corrupt.bin.part")), "the corrupt bytes are gone, so the next try starts clean");
        assertArrayEquals(data, Files.readAllBytes(client.download(id, target, null)));
    }

    @Test
    void anUnknownBlobIsReportedAsMissing() {
        String id = HexFormat.of().formatHex(new byte[32]);
        IOException e = assertThrows(IOException.class, () -> client.download(id, dir.resolve("x"), null));
        assertTrue(e.getMessage().contains("has no blob " + id), e.getMessage());
        assertEquals(1, server.count("GET"), "a missing blob is not retried");
    }
}
