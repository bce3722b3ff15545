package org.daig.blob.s3;

import static org.daig.blob.s3.S3BlobStoreTest.bytes;
import static org.daig.blob.s3.S3BlobStoreTest.read;
import static org.daig.blob.s3.S3BlobStoreTest.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobException.Reason;
import org.daig.api.blob.UploadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunked, resumable uploads into the S3 store against a real S3 server (S3Proxy), across parts and restarts. */
class S3UploadsTest {

    private static final int PART = (int) S3Settings.MIN_PART;

    @TempDir
    Path dir;
    S3Server server;

    @BeforeEach
    void start() throws Exception {
        server = new S3Server(dir.resolve("s3"));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private S3BlobStore store() throws IOException {
        return new S3BlobStore(server.settings(dir.resolve("local")));
    }

    private static InputStream slice(byte[] data, int from, int to) {
        return new ByteArrayInputStream(data, from, to - from);
    }

    private List<Path> localTails() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("local").resolve("uploads"))) {
            return files.toList();
        }
    }

    @Test
    void aBlobOfSeveralPartsArrivesInChunksAndAppearsOnlyWhenComplete() throws Exception {
        byte[] data = bytes(2 * PART + 300_001, 20);
        String id = sha256(data);
        int[] cuts = { 0, 1_000_003, PART - 1, PART + 17, 2 * PART, data.length }; // chunks that do not line up with parts
        try (S3BlobStore store = store()) {
            for (int i = 0; i + 1 < cuts.length; i++) {
                UploadState state = store.append(id, cuts[i], data.length, slice(data, cuts[i], cuts[i + 1]));
                assertEquals(cuts[i + 1], state.received());
                boolean last = i + 2 == cuts.length;
                assertEquals(last, state.complete());
                assertEquals(last, store.find(id).isPresent(), "visible only when complete");
                if (!last) {
                    assertFalse(server.keys().contains("grid/blobs/" + id), "not in the bucket before the hash matched");
                }
            }
        }
        assertEquals(List.of("grid/blobs/" + id), server.keys(), "the record of the upload is gone");
        assertEquals(0, server.multipartUploads());
        assertEquals(List.of(), localTails());
        try (S3BlobStore other = new S3BlobStore(server.settings(dir.resolve("other")))) {
            assertArrayEquals(data, read(other.open(id, 0)));
            assertArrayEquals(data, Files.readAllBytes(other.file(id)));
        }
    }

    @Test
    void anUploadResumesAcrossRestartsOfTheStoreAndOfTheS3Server() throws Exception {
        byte[] data = bytes(PART + 400_000, 21);
        String id = sha256(data);
        int[] cuts = { 0, 300_000, PART + 100_000, data.length };
        for (int i = 0; i < 3; i++) {
            if (i == 2) {
                server.stop();
                server.start(); // same folder, new port: the parts sent so far are still there
            }
            try (S3BlobStore store = store()) { // a new store object each time, as after a coordinator restart
                assertEquals(cuts[i], store.uploadState(id).received(), "where chunk " + i + " starts");
                UploadState state = store.append(id, cuts[i], data.length, slice(data, cuts[i], cuts[i + 1]));
                assertEquals(cuts[i + 1], state.received());
                assertEquals(i == 2, state.complete());
            }
        }
        try (S3BlobStore restarted = store()) {
            assertEquals(new UploadState(id, data.length, data.length, true), restarted.uploadState(id));
            assertArrayEquals(data, read(restarted.open(id, 0)));
        }
    }

    @Test
    void aStoreWithoutTheLocalPartialPartResumesFromTheLastWholePart() throws Exception {
        byte[] data = bytes(PART + 200_000, 22);
        String id = sha256(data);
        try (S3BlobStore store = store()) {
            store.append(id, 0, data.length, slice(data, 0, PART + 50_000));
        }
        // another machine (a standby coordinator) shares the bucket but not the local folder
        try (S3BlobStore standby = new S3BlobStore(server.settings(dir.resolve("standby")))) {
            UploadState state = standby.uploadState(id);
            assertEquals(PART, state.received(), "the sent part is in S3; the 50,000 bytes after it were only local");
            assertTrue(standby.append(id, PART, data.length, slice(data, PART, data.length)).complete());
            assertArrayEquals(data, read(standby.open(id, 0)));
        }
    }

    @Test
    void aBrokenChunkStreamKeepsTheBytesThatArrived() throws Exception {
        byte[] data = bytes(PART + 300_000, 23);
        String id = sha256(data);
        int breakAt = PART + 90_000; // after a whole part went to S3
        InputStream breaking = new InputStream() {
            private final InputStream in = slice(data, 0, breakAt);

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) {
                    throw new IOException("connection reset by peer");
                }
                return n;
            }
        };
        try (S3BlobStore store = store()) {
            IOException broken = assertThrows(IOException.class, () -> store.append(id, 0, data.length, breaking));
            assertEquals("connection reset by peer", broken.getMessage());
            assertEquals(breakAt, store.uploadState(id).received());
            assertTrue(store.find(id).isEmpty());
            assertTrue(store.append(id, breakAt, data.length, slice(data, breakAt, data.length)).complete());
        }
        try (S3BlobStore restarted = store()) {
            assertArrayEquals(data, read(restarted.open(id, 0)));
        }
    }

    @Test
    void aHashMismatchDiscardsTheUploadAndLeavesNothingInTheBucket() throws Exception {
        byte[] data = bytes(PART + 100_000, 24);
        String promised = sha256(bytes(PART + 100_000, 25));
        String actual = sha256(data);
        try (S3BlobStore store = store()) {
            store.append(promised, 0, data.length, slice(data, 0, PART + 10));
        }
        try (S3BlobStore store = store()) { // the hash goes on from the state recorded after the first part
            BlobException e = assertThrows(BlobException.class,
                    () -> store.append(promised, PART + 10, data.length, slice(data, PART + 10, data.length)));
            assertEquals(Reason.HASH_MISMATCH, e.reason());
            assertTrue(e.getMessage().contains(promised) && e.getMessage().contains(actual), e.getMessage());
            assertTrue(store.find(promised).isEmpty());
            assertTrue(store.find(actual).isEmpty(), "the bytes do not appear under their own id either");
            assertEquals(0, store.uploadState(promised).received(), "the upload was discarded");
        }
        assertEquals(List.of(), server.keys());
        assertEquals(0, server.multipartUploads(), "the parts were aborted");
        assertEquals(List.of(), localTails());
    }

    @Test
    void aSmallMismatchLeavesNothingEither() throws Exception {
        byte[] data = bytes(1000, 26);
        String promised = sha256(bytes(1000, 27));
        try (S3BlobStore store = store()) {
            assertEquals(Reason.HASH_MISMATCH,
                    assertThrows(BlobException.class, () -> store.append(promised, 0, 1000, slice(data, 0, 1000))).reason());
        }
        assertEquals(List.of(), server.keys());
        assertEquals(List.of(), localTails());
    }

    @Test
    void aChunkAtTheWrongOffsetIsRefusedWithTheExpectedOne() throws Exception {
        byte[] data = bytes(1000, 28);
        String id = sha256(data);
        try (S3BlobStore store = store()) {
            store.append(id, 0, data.length, slice(data, 0, 400));
            BlobException e = assertThrows(BlobException.class, () -> store.append(id, 500, data.length, slice(data, 500, 1000)));
            assertEquals(Reason.WRONG_OFFSET, e.reason());
            assertTrue(e.getMessage().contains("400"), e.getMessage());
            assertEquals(400, store.uploadState(id).received(), "nothing was added");
        }
    }

    @Test
    void deleteRemovesBlobsAndUnfinishedUploadsWithTheirParts() throws Exception {
        byte[] data = bytes(PART + 1000, 29);
        try (S3BlobStore store = store()) {
            String blob = store.write(new ByteArrayInputStream(bytes(1000, 30))).id();
            String partial = sha256(data);
            store.append(partial, 0, data.length, slice(data, 0, PART + 10));
            assertEquals(1, server.multipartUploads());

            store.delete(blob);
            store.delete(partial);

            assertTrue(store.find(blob).isEmpty());
            assertEquals(0, store.uploadState(partial).received());
        }
        assertEquals(List.of(), server.keys());
        assertEquals(0, server.multipartUploads());
    }

    @Test
    void uploadsNobodyAddedToForADayAreRemovedAndRecentOnesKept() throws Exception {
        byte[] big = bytes(PART + 1000, 31);
        byte[] small = bytes(1000, 32);
        try (S3BlobStore store = store()) {
            store.append(sha256(big), 0, big.length, slice(big, 0, PART + 10));
            store.append(sha256(small), 0, small.length, slice(small, 0, 10));
            store.removeAbandonedUploads();
            assertEquals(PART + 10, store.uploadState(sha256(big)).received(), "touched just now: kept");
            assertEquals(10, store.uploadState(sha256(small)).received());
        }
        Clock dayLater = Clock.offset(Clock.systemUTC(), Duration.ofHours(25));
        try (S3BlobStore later = new S3BlobStore(server.settings(dir.resolve("local")), dayLater)) {
            later.removeAbandonedUploads();
            assertEquals(0, later.uploadState(sha256(big)).received(), "its uploader is told to start again");
            assertEquals(0, later.uploadState(sha256(small)).received());
        }
        assertEquals(List.of(), server.keys());
        assertEquals(0, server.multipartUploads());
        assertEquals(List.of(), localTails());
    }
}
