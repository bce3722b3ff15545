package org.daig.blob.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobException.Reason;
import org.daig.api.blob.BlobInfo;
import org.daig.api.blob.UploadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 store against a real S3 server (S3Proxy): reading, writing, refusals, the cache, bad settings. */
class S3BlobStoreTest {

    @TempDir
    Path dir;
    S3Server server;
    S3BlobStore store;

    @BeforeEach
    void start() throws Exception {
        server = new S3Server(dir.resolve("s3"));
        store = new S3BlobStore(server.settings(dir.resolve("local")));
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        server.close();
    }

    static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static String sha256(byte[] data) {
        SHA256Digest digest = new SHA256Digest();
        digest.update(data, 0, data.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return HexFormat.of().formatHex(out);
    }

    static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** A second store on the same bucket with a local folder of its own: it reads from S3, not from a cache. */
    S3BlobStore elsewhere(String name) throws IOException {
        return new S3BlobStore(server.settings(dir.resolve(name)));
    }

    @Test
    void theStoreIsHealthyWhileItsS3ServerAnswers() throws Exception {
        assertTrue(store.healthy(), "the bucket answers");
        server.close();
        assertFalse(store.healthy(), "the S3 server is gone");
    }

    @Test
    void aWrittenBlobIsInTheBucketUnderItsHashAndReadFromAnyOffset() throws Exception {
        byte[] data = bytes(200_000, 1);
        String id = sha256(data);

        BlobInfo info = store.write(new ByteArrayInputStream(data));

        assertEquals(new BlobInfo(id, data.length), info);
        assertEquals(List.of("grid/blobs/" + id), server.keys());
        try (S3BlobStore other = elsewhere("other")) {
            assertEquals(info, other.find(id).orElseThrow());
            assertArrayEquals(Arrays.copyOfRange(data, 70_000, data.length), read(other.open(id, 70_000)), "a ranged GET");
            assertEquals(0, read(other.open(id, data.length)).length, "from the end: nothing");
            assertThrows(IllegalArgumentException.class, () -> other.open(id, data.length + 1));
            Path file = other.file(id);
            assertArrayEquals(data, Files.readAllBytes(file));
            assertTrue(file.startsWith(dir.resolve("other")), "downloaded into the local folder: " + file);
        }
    }

    @Test
    void anImportedFileAndTheSameBytesWrittenAreOneBlob() throws Exception {
        byte[] data = bytes(5_000, 2);
        Path file = Files.write(dir.resolve("import.bin"), data);
        BlobInfo imported = store.importFile(file);
        assertEquals(sha256(data), imported.id());
        assertEquals(imported, store.write(new ByteArrayInputStream(data)));
        assertEquals(List.of("grid/blobs/" + imported.id()), server.keys());
    }

    @Test
    void aBlobLargerThanOnePartIsWrittenInParts() throws Exception {
        byte[] data = bytes((int) (2 * S3Settings.MIN_PART + 12_345), 3);
        String id = sha256(data);
        store.write(new ByteArrayInputStream(data));
        try (S3BlobStore other = elsewhere("other")) {
            assertEquals(data.length, other.find(id).orElseThrow().size());
            int across = (int) S3Settings.MIN_PART - 10; // a range that starts in the first part
            assertArrayEquals(Arrays.copyOfRange(data, across, data.length), read(other.open(id, across)));
        }
        assertEquals(0, server.multipartUploads());
    }

    @Test
    void anObjectChangedBehindTheStoresBackIsNotHandedToLocalReaders() throws Exception {
        byte[] data = bytes(1000, 7);
        String id = store.write(new ByteArrayInputStream(data)).id();
        server.overwrite("grid/blobs/" + id, bytes(1000, 8));
        try (S3BlobStore other = elsewhere("other")) {
            BlobException e = assertThrows(BlobException.class, () -> other.file(id));
            assertTrue(e.getMessage().contains("changed outside DAIG"), e.getMessage());
            try (java.util.stream.Stream<Path> cached = Files.list(dir.resolve("other").resolve("blobs"))) {
                assertEquals(0, cached.count(), "nothing kept");
            }
        }
    }

    @Test
    void unknownAndMalformedIdsAreTold() throws Exception {
        String unknown = sha256(bytes(10, 4));
        assertTrue(store.find(unknown).isEmpty());
        assertTrue(store.find("not-an-id").isEmpty());
        assertEquals(Reason.NOT_FOUND, assertThrows(BlobException.class, () -> store.file(unknown)).reason());
        assertEquals(Reason.NOT_FOUND, assertThrows(BlobException.class, () -> store.open(unknown, 0)).reason());
        BlobException bad = assertThrows(BlobException.class, () -> store.uploadState(unknown.toUpperCase()));
        assertEquals(Reason.BAD_ID, bad.reason());
        assertEquals(new UploadState(unknown, 0, 0, false), store.uploadState(unknown));
    }

    @Test
    void anUploadOfABlobTheStoreHasCompletesWithoutReadingTheBody() throws Exception {
        BlobInfo info = store.write(new ByteArrayInputStream(bytes(1000, 5)));
        InputStream unread = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the body of an upload the store has must not be read");
            }
        };
        assertEquals(new UploadState(info.id(), 1000, 1000, true), store.append(info.id(), 0, 1000, unread));
    }

    @Test
    void blobsOverTheLimitAreRefusedAndLeaveNothing() throws Exception {
        S3Settings small = server.settings(dir.resolve("small"));
        small = new S3Settings(small.endpoint(), small.region(), small.bucket(), true, small.accessKeyId(), small.secretKey(), small.prefix(),
                small.partSize(), small.localDir(), small.cacheMaxBytes(), 1000, small.abandonAfter(), false);
        byte[] data = bytes(1001, 6);
        try (S3BlobStore limited = new S3BlobStore(small)) {
            BlobException upload = assertThrows(BlobException.class, () -> limited.append(sha256(data), 0, 1001, new ByteArrayInputStream(data)));
            BlobException write = assertThrows(BlobException.class, () -> limited.write(new ByteArrayInputStream(data)));
            assertEquals(Reason.TOO_LARGE, upload.reason());
            assertEquals(Reason.TOO_LARGE, write.reason());
            assertTrue(upload.getMessage().contains("maxBlobBytes in org.daig.blob"), upload.getMessage());
        }
        assertEquals(List.of(), server.keys());
    }

    @Test
    void theCacheKeepsTheRecentlyUsedWithinItsSize() throws Exception {
        Instant[] now = { Instant.parse("2026-12-02T12:00:00Z") };
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneId.of("UTC");
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        S3Settings base = server.settings(dir.resolve("cached"));
        S3Settings settings = new S3Settings(base.endpoint(), base.region(), base.bucket(), true, base.accessKeyId(), base.secretKey(),
                base.prefix(), base.partSize(), base.localDir(), 250_000, base.maxBlobBytes(), base.abandonAfter(), false);
        String[] ids = new String[3];
        for (int i = 0; i < 3; i++) {
            ids[i] = store.write(new ByteArrayInputStream(bytes(100_000, 10 + i))).id();
        }
        try (S3BlobStore cached = new S3BlobStore(settings, clock)) {
            Path first = cached.file(ids[0]);
            now[0] = now[0].plus(Duration.ofMinutes(11));
            cached.file(ids[1]);
            now[0] = now[0].plus(Duration.ofMinutes(11));
            cached.file(ids[2]); // 300,000 bytes: the least recently used goes
            assertFalse(Files.exists(first), "the oldest copy was removed");
            assertTrue(Files.exists(cached.file(ids[1])));
            now[0] = now[0].plus(Duration.ofMinutes(1));
            Path again = cached.file(ids[0]); // downloaded again; the others were used within the last 10 minutes
            assertArrayEquals(bytes(100_000, 10), Files.readAllBytes(again));
        }
    }

    @Test
    void wrongCredentialsAreToldWithTheSettingsToFix() {
        IOException e = assertThrows(IOException.class,
                () -> new S3BlobStore(server.settings(dir.resolve("x"), S3Server.KEY_ID, "not-the-secret", S3Server.BUCKET)));
        assertTrue(e.getMessage().contains("refused access") && e.getMessage().contains("accessKeyId")
                && e.getMessage().contains("secretKey") && e.getMessage().contains("org.daig.blob.s3"), e.getMessage());
        IOException unknownKey = assertThrows(IOException.class,
                () -> new S3BlobStore(server.settings(dir.resolve("x"), "nobody", S3Server.SECRET, S3Server.BUCKET)));
        assertTrue(unknownKey.getMessage().contains("accessKeyId"), unknownKey.getMessage());
    }

    @Test
    void aMissingBucketIsToldWithTheSettingToFix() {
        IOException e = assertThrows(IOException.class,
                () -> new S3BlobStore(server.settings(dir.resolve("x"), S3Server.KEY_ID, S3Server.SECRET, "no-such-bucket")));
        assertTrue(e.getMessage().contains("'no-such-bucket' does not exist") && e.getMessage().contains("bucket in org.daig.blob.s3"),
                e.getMessage());
    }

    @Test
    void anUnreachableEndpointIsToldWithTheSettingToFix() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0)) {
            port = closed.getLocalPort();
        }
        S3Settings base = server.settings(dir.resolve("x"));
        S3Settings settings = new S3Settings(java.net.URI.create("http://127.0.0.1:" + port), base.region(), base.bucket(), true,
                base.accessKeyId(), base.secretKey(), base.prefix(), base.partSize(), base.localDir(), base.cacheMaxBytes(), base.maxBlobBytes(),
                base.abandonAfter(), false);
        IOException e = assertThrows(IOException.class, () -> new S3BlobStore(settings));
        assertTrue(e.getMessage().contains("cannot reach http://127.0.0.1:" + port) && e.getMessage().contains("endpoint in org.daig.blob.s3"),
                e.getMessage());
    }
}
