package org.daig.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.daig.api.blob.UploadState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files made ahead for new uploads: made only once uploads have been quiet for a while, as many as
 * the largest burst took (never more than the cap), taken by the next burst's uploads, whose blobs
 * come out whole; an earlier run's empty spares are taken again, anything else in their folder goes.
 */
class SpareFilesTest {

    private static final long QUIET = SpareFiles.QUIET_NANOS;

    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private FileBlobStore store(int spareFiles) throws IOException {
        return new FileBlobStore(dir, 1L << 30, 0, spareFiles, now::get);
    }

    private static String upload(FileBlobStore store, byte[] data) throws IOException {
        String id = FileBlobStoreTest.sha256(data);
        UploadState state = store.append(id, 0, data.length, new ByteArrayInputStream(data));
        assertTrue(state.complete(), "uploaded whole");
        return id;
    }

    private long filesIn(String folder) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(folder))) {
            return files.count();
        }
    }

    @Test
    void theNextBurstOfUploadsTakesTheFilesMadeInTheQuietAndItsBlobsComeOutWhole() throws IOException {
        FileBlobStore store = store(16);
        store.makeSpareFiles();
        assertEquals(0, store.spareFilesReady(), "no upload asked for one yet");
        for (int i = 0; i < 3; i++) {
            upload(store, FileBlobStoreTest.bytes(800, i)); // the first burst makes its own files
        }
        now.addAndGet(QUIET - 1);
        store.makeSpareFiles();
        assertEquals(0, store.spareFilesReady(), "not while uploads may still be arriving");
        now.addAndGet(1);
        store.makeSpareFiles();
        assertEquals(3, store.spareFilesReady(), "as many as the burst took");
        assertEquals(3, filesIn("spare"));

        byte[] a = FileBlobStoreTest.bytes(800, 10);
        byte[] b = FileBlobStoreTest.bytes(70_000, 11);
        String idA = upload(store, a);
        String idB = upload(store, b);
        assertEquals(1, store.spareFilesReady(), "two taken");
        assertEquals(1, filesIn("spare"));
        assertArrayEquals(a, store.open(idA, 0).readAllBytes());
        assertArrayEquals(b, store.open(idB, 0).readAllBytes());
        store.makeSpareFiles();
        assertEquals(1, store.spareFilesReady(), "none made right after an upload");
    }

    @Test
    void neverMoreThanTheCapAndAResumedUploadTakesNone() throws IOException {
        FileBlobStore store = store(2);
        for (int i = 0; i < 5; i++) {
            upload(store, FileBlobStoreTest.bytes(100, i));
        }
        now.addAndGet(QUIET);
        store.makeSpareFiles();
        assertEquals(2, store.spareFilesReady());

        byte[] data = FileBlobStoreTest.bytes(3_000, 20);
        String id = FileBlobStoreTest.sha256(data);
        assertFalse(store.append(id, 0, data.length, new ByteArrayInputStream(data, 0, 1_000)).complete());
        assertEquals(1, store.spareFilesReady(), "the new upload took one");
        assertTrue(store.append(id, 1_000, data.length, new ByteArrayInputStream(data, 1_000, 2_000)).complete());
        assertEquals(1, store.spareFilesReady(), "its second chunk took none");
        assertArrayEquals(data, store.open(id, 0).readAllBytes());
    }

    @Test
    void aRestartTakesAnEarlierRunsEmptySparesAgainAndDeletesAnythingElseThere() throws IOException {
        FileBlobStore first = store(8);
        for (int i = 0; i < 4; i++) {
            upload(first, FileBlobStoreTest.bytes(100, i));
        }
        now.addAndGet(QUIET);
        first.makeSpareFiles();
        assertEquals(4, first.spareFilesReady());
        Path spare;
        try (Stream<Path> files = Files.list(dir.resolve("spare"))) {
            spare = files.findFirst().orElseThrow();
        }
        Files.writeString(spare, "not empty: never handed to an upload");

        FileBlobStore second = store(8);
        assertEquals(3, second.spareFilesReady(), "the empty ones");
        assertFalse(Files.exists(spare), "the written one is gone");
        byte[] data = FileBlobStoreTest.bytes(500, 30);
        assertArrayEquals(data, second.open(upload(second, data), 0).readAllBytes());
        assertEquals(2, second.spareFilesReady());
        assertEquals(TimeUnit.SECONDS.toNanos(3), QUIET, "the quiet spell docs/operations.md names");
    }
}
