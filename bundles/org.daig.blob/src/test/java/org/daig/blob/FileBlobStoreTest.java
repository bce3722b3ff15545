package org.daig.blob;

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
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobException.Reason;
import org.daig.api.blob.BlobInfo;
import org.daig.api.blob.UploadState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest {

    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static String sha256(byte[] data) {
        return Hashing.hex(Hashing.sha256().digest(data));
    }

    private FileBlobStore store() throws IOException {
        return new FileBlobStore(dir, GIB, 0);
    }

    /** Where an unfinished upload of {@code id} keeps its bytes: uploads/, in the folder of the id's first two hex characters. */
    private Path part(String id) {
        return dir.resolve("uploads").resolve(id.substring(0, 2)).resolve(id + ".part");
    }

    /** Every regular file under the store's folder, outside uploads/ and tmp/: what readers could see. */
    private List<Path> visibleFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.startsWith(dir.resolve("uploads")) && !f.startsWith(dir.resolve("tmp")))
                    .toList();
        }
    }

    private static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void theStoreIsHealthyWhileItsFoldersAreThere() throws Exception {
        FileBlobStore store = store();
        assertTrue(store.healthy());
        Files.delete(dir.resolve("tmp")); // as when the disk was unmounted or the folder removed under the coordinator
        assertFalse(store.healthy());
    }

    @Test
    void aWrittenBlobIsFoundUnderItsHashAndReadFromAnyOffset() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(200_000, 1);
        String id = sha256(data);

        BlobInfo info = store.write(new ByteArrayInputStream(data));

        assertEquals(new BlobInfo(id, data.length), info);
        assertEquals(info, store.find(id).orElseThrow());
        assertEquals(dir.resolve(id.substring(0, 2)).resolve(id), store.file(id), "layout <dir>/<aa>/<id>");
        assertArrayEquals(data, Files.readAllBytes(store.file(id)));
        assertArrayEquals(Arrays.copyOfRange(data, 70_000, data.length), read(store.open(id, 70_000)));
        assertEquals(0, read(store.open(id, data.length)).length);
        assertEquals(List.of(store.file(id)), visibleFiles());
        try (Stream<Path> temps = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, temps.count(), "no temporary file left behind");
        }
    }

    @Test
    void anImportedFileBecomesTheSameBlob() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(5_000, 2);
        Path file = Files.write(dir.resolveSibling(dir.getFileName() + "-import.bin"), data);
        try {
            BlobInfo info = store.importFile(file);
            assertEquals(sha256(data), info.id());
            assertEquals(info, store.write(new ByteArrayInputStream(data)), "the same bytes twice are one blob");
            assertArrayEquals(data, read(store.open(info.id(), 0)));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void unknownAndMalformedIdsAreTold() throws Exception {
        FileBlobStore store = store();
        String unknown = sha256(bytes(10, 3));
        assertTrue(store.find(unknown).isEmpty());
        assertTrue(store.find("not-an-id").isEmpty());
        assertEquals(Reason.NOT_FOUND, assertThrows(BlobException.class, () -> store.file(unknown)).reason());
        assertEquals(Reason.NOT_FOUND, assertThrows(BlobException.class, () -> store.open(unknown, 0)).reason());
        BlobException bad = assertThrows(BlobException.class, () -> store.uploadState(unknown.toUpperCase()));
        assertEquals(Reason.BAD_ID, bad.reason());
        assertTrue(bad.getMessage().contains("SHA-256"), bad.getMessage());
        assertEquals(new UploadState(unknown, 0, 0, false), store.uploadState(unknown));
    }

    @Test
    void anUploadNobodyAddedToForADayIsRemovedAndOneInUseIsKept() throws Exception {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        FileBlobStore store = new FileBlobStore(dir, GIB, 0, Duration.ofHours(24), Clock.fixed(now, ZoneOffset.UTC));
        byte[] old = bytes(3_000, 7);
        byte[] recent = bytes(3_000, 8);
        store.append(sha256(old), 0, old.length, new ByteArrayInputStream(old, 0, 1_000));
        store.append(sha256(recent), 0, recent.length, new ByteArrayInputStream(recent, 0, 1_000));
        Path oldPart = part(sha256(old));
        Path recentPart = part(sha256(recent));
        Files.setLastModifiedTime(oldPart, FileTime.from(now.minus(Duration.ofHours(25))));
        Files.setLastModifiedTime(recentPart, FileTime.from(now.minus(Duration.ofHours(23))));

        store.removeAbandonedUploads();

        assertFalse(Files.exists(oldPart), "abandoned for 25 h: its space is given back");
        assertEquals(0, store.uploadState(sha256(old)).received(), "its uploader is told to start again");
        assertEquals(1_000, store.uploadState(sha256(recent)).received(), "touched 23 h ago: kept");
        UploadState resumed = store.append(sha256(recent), 1_000, recent.length, new ByteArrayInputStream(recent, 1_000, 2_000));
        assertTrue(resumed.complete(), "the kept upload still finishes");
        UploadState again = store.append(sha256(old), 0, old.length, new ByteArrayInputStream(old));
        assertTrue(again.complete(), "the removed one can be sent again from the start");
        assertArrayEquals(old, Files.readAllBytes(store.file(sha256(old))));
    }

    @Test
    void anUploadResumesAcrossRestartsOfTheStore() throws Exception {
        byte[] data = bytes(300_000, 4);
        String id = sha256(data);
        int[] cuts = { 0, 100_000, 250_000, data.length };

        for (int i = 0; i < 3; i++) {
            FileBlobStore store = store(); // a new store object each time, as after a restart
            assertEquals(cuts[i], store.uploadState(id).received(), "where chunk " + i + " starts");
            UploadState state = store.append(id, cuts[i], data.length,
                    new ByteArrayInputStream(data, cuts[i], cuts[i + 1] - cuts[i]));
            assertEquals(cuts[i + 1], state.received());
            assertEquals(i == 2, state.complete());
            assertEquals(i == 2, store.find(id).isPresent(), "visible only when complete");
        }

        FileBlobStore restarted = store();
        assertEquals(new UploadState(id, data.length, data.length, true), restarted.uploadState(id));
        assertArrayEquals(data, Files.readAllBytes(restarted.file(id)));
        assertFalse(Files.exists(part(id)), "the .part became the blob");
    }

    @Test
    void anUploadLeftInTheFlatLayoutOfAnOlderStoreResumesInItsFolder() throws Exception {
        byte[] data = bytes(200_000, 11);
        String id = sha256(data);
        store().append(id, 0, data.length, new ByteArrayInputStream(data, 0, 120_000));
        Path flat = dir.resolve("uploads").resolve(id + ".part");
        Files.move(part(id), flat); // where a store before the folders per two hex characters kept it

        FileBlobStore updated = store();
        assertFalse(Files.exists(flat), "moved into its folder at start");
        assertEquals(120_000, updated.uploadState(id).received(), "the uploader resumes where it was");
        assertTrue(updated.append(id, 120_000, data.length, new ByteArrayInputStream(data, 120_000, 80_000)).complete());
        assertArrayEquals(data, Files.readAllBytes(updated.file(id)));
    }

    @Test
    void aChunkInOneLifetimeCompletesWithoutRestart() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(150_000, 5);
        String id = sha256(data);
        assertFalse(store.append(id, 0, data.length, new ByteArrayInputStream(data, 0, 70_000)).complete());
        assertEquals(new UploadState(id, 70_000, data.length, false), store.uploadState(id));
        assertTrue(store.append(id, 70_000, data.length, new ByteArrayInputStream(data, 70_000, 80_000)).complete());
        assertArrayEquals(data, Files.readAllBytes(store.file(id)));
    }

    @Test
    void aBrokenChunkStreamKeepsTheBytesThatArrived() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(200_000, 6);
        String id = sha256(data);
        InputStream breaking = new InputStream() {
            private final InputStream in = new ByteArrayInputStream(data, 0, 90_000);

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

        IOException broken = assertThrows(IOException.class, () -> store.append(id, 0, data.length, breaking));

        assertEquals("connection reset by peer", broken.getMessage());
        assertEquals(90_000, store.uploadState(id).received());
        assertTrue(store.find(id).isEmpty());
        UploadState rest = store().append(id, 90_000, data.length, new ByteArrayInputStream(data, 90_000, 110_000));
        assertTrue(rest.complete());
        assertArrayEquals(data, Files.readAllBytes(store.file(id)));
    }

    @Test
    void aChunkAtTheWrongOffsetIsRefusedWithTheExpectedOne() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(1000, 7);
        String id = sha256(data);
        store.append(id, 0, data.length, new ByteArrayInputStream(data, 0, 400));

        BlobException e = assertThrows(BlobException.class,
                () -> store.append(id, 500, data.length, new ByteArrayInputStream(data, 500, 500)));

        assertEquals(Reason.WRONG_OFFSET, e.reason());
        assertTrue(e.getMessage().contains("400"), e.getMessage());
        assertEquals(400, store.uploadState(id).received(), "nothing was added");
    }

    @Test
    void aHashMismatchDiscardsTheUploadAndNamesBothHashes() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(100_000, 8);
        String promised = sha256(bytes(100_000, 9));
        String actual = sha256(data);
        store.append(promised, 0, data.length, new ByteArrayInputStream(data, 0, 60_000));

        BlobException e = assertThrows(BlobException.class,
                () -> store().append(promised, 60_000, data.length, new ByteArrayInputStream(data, 60_000, 40_000)));

        assertEquals(Reason.HASH_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains(promised) && e.getMessage().contains(actual), e.getMessage());
        assertTrue(store.find(promised).isEmpty());
        assertTrue(store.find(actual).isEmpty(), "the bytes do not appear under their own id either");
        assertEquals(0, store.uploadState(promised).received(), "the upload was discarded");
        assertEquals(List.of(), visibleFiles());
        try (Stream<Path> parts = Files.walk(dir.resolve("uploads"))) {
            assertEquals(0, parts.filter(Files::isRegularFile).count(), "nothing of the upload is left");
        }
    }

    @Test
    void uploadTempFilesNeverBecomeVisibleUnderAnyId() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(300_000, 10);
        String id = sha256(data);
        List<List<Path>> seenMidway = new java.util.ArrayList<>();
        InputStream watching = new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                if (pos > 0 && seenMidway.isEmpty()) {
                    try {
                        seenMidway.add(visibleFiles());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return super.read(b, off, len);
            }
        };

        store.write(watching);

        assertEquals(List.of(List.of()), seenMidway, "nothing visible while the bytes were written");
        assertEquals(List.of(store.file(id)), visibleFiles());
    }

    @Test
    void anUploadOfABlobTheStoreHasCompletesAtOnce() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(1000, 11);
        BlobInfo info = store.write(new ByteArrayInputStream(data));
        InputStream unread = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the body of an upload the store has must not be read");
            }
        };

        assertEquals(new UploadState(info.id(), 1000, 1000, true), store.append(info.id(), 0, 1000, unread));
        assertEquals(new UploadState(info.id(), 1000, 1000, true), store.append(info.id(), 500, 1000, unread));
    }

    @Test
    void blobsOverTheLimitAreRefusedAndLeaveNothing() throws Exception {
        FileBlobStore store = new FileBlobStore(dir, 1000, 0);
        byte[] data = bytes(1001, 12);
        String id = sha256(data);

        BlobException upload = assertThrows(BlobException.class, () -> store.append(id, 0, 1001, new ByteArrayInputStream(data)));
        BlobException write = assertThrows(BlobException.class, () -> store.write(new ByteArrayInputStream(data)));

        assertEquals(Reason.TOO_LARGE, upload.reason());
        assertEquals(Reason.TOO_LARGE, write.reason());
        assertTrue(upload.getMessage().contains("maxBlobBytes"), upload.getMessage());
        assertEquals(0, store.uploadState(id).received());
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(List.of(), files.filter(Files::isRegularFile).toList());
        }
        assertTrue(store.append(sha256(Arrays.copyOf(data, 1000)), 0, 1000, new ByteArrayInputStream(data, 0, 1000)).complete(),
                "exactly the limit is fine");
    }

    @Test
    void writesThatWouldLeaveTooLittleFreeSpaceAreRefused() throws Exception {
        FileBlobStore store = new FileBlobStore(dir, GIB, Long.MAX_VALUE / 2);
        byte[] data = bytes(1000, 13);
        String id = sha256(data);

        BlobException write = assertThrows(BlobException.class, () -> store.write(new ByteArrayInputStream(data)));
        BlobException upload = assertThrows(BlobException.class, () -> store.append(id, 0, 1000, new ByteArrayInputStream(data)));

        assertEquals(Reason.DISK_FULL, write.reason());
        assertEquals(Reason.DISK_FULL, upload.reason());
        assertTrue(write.getMessage().contains("minFreeBytes"), write.getMessage());
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "no partial garbage");
        }
    }

    @Test
    void twoUploadsOfOneIdNeverInterleave() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(200_000, 14);
        String id = sha256(data);
        CountDownLatch halfway = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream slow = new ByteArrayInputStream(data, 0, 100_000) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                if (pos >= 50_000 && halfway.getCount() > 0) {
                    halfway.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.read(b, off, len);
            }
        };
        ExecutorService threads = Executors.newFixedThreadPool(1);
        try {
            Future<UploadState> first = threads.submit(() -> store.append(id, 0, data.length, slow));
            assertTrue(halfway.await(10, TimeUnit.SECONDS));
            // A second upload that agrees with where the first stands right now: only the lock stops it.
            long offset = store.uploadState(id).received();
            Exception[] secondFailure = new Exception[1];
            Thread second = new Thread(() -> {
                try {
                    store.append(id, offset, data.length, new ByteArrayInputStream(data, (int) offset, data.length - (int) offset));
                } catch (Exception e) {
                    secondFailure[0] = e;
                }
            });
            second.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (second.getState() != Thread.State.WAITING && second.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until it waits for the first upload's lock
            }
            release.countDown();
            second.join(10_000);

            assertEquals(100_000, first.get(10, TimeUnit.SECONDS).received());
            assertTrue(secondFailure[0] instanceof BlobException, "the second upload must fail, got " + secondFailure[0]);
            assertEquals(Reason.WRONG_OFFSET, ((BlobException) secondFailure[0]).reason(), "it waited, then found the first's bytes");
            assertTrue(secondFailure[0].getMessage().contains("100000"), secondFailure[0].getMessage());
        } finally {
            threads.shutdownNow();
        }
        assertTrue(store.append(id, 100_000, data.length, new ByteArrayInputStream(data, 100_000, 100_000)).complete());
        assertArrayEquals(data, Files.readAllBytes(store.file(id)));
    }

    @Test
    void deleteRemovesBlobsAndUploads() throws Exception {
        FileBlobStore store = store();
        byte[] data = bytes(1000, 15);
        BlobInfo blob = store.write(new ByteArrayInputStream(data));
        String partial = sha256(bytes(1000, 16));
        store.append(partial, 0, 1000, new ByteArrayInputStream(data, 0, 10));

        store.delete(blob.id());
        store.delete(partial);

        assertTrue(store.find(blob.id()).isEmpty());
        assertEquals(0, store.uploadState(partial).received());
    }

    @Test
    void theDefaultFolderIsInTheDataFolder() {
        assertEquals(Path.of("/srv/daig/data", "blobs"), FileBlobStore.resolveFolder("", "/srv/daig/data"));
        assertEquals(Path.of("daig-data", "blobs"), FileBlobStore.resolveFolder(" ", null));
        assertEquals(Path.of("/mnt/blobs"), FileBlobStore.resolveFolder("/mnt/blobs", "/srv/daig/data"));
    }
}
