package org.daig.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.daig.api.blob.BlobAccess;
import org.daig.api.blob.UploadState;
import org.daig.blob.FakeHttp.Answer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob servlet asks {@link BlobAccess} on every request and keeps to its answer: a refused
 * read is a missing blob, a refused upload stores nothing, and an upload is the uploader's only
 * when its own bytes hash to the id.
 */
class BlobServletTest {

    private static final Identity ALICE = person("alice");
    private static final Identity BOB = person("bob");
    private static final Identity MALLORY = person("mallory");

    @TempDir
    Path dir;

    private FileBlobStore store;
    private Access access;
    private BlobServlet servlet;

    private static Identity person(String user) {
        return new Identity(user, Set.of(Role.REQUESTOR), Scope.API, null, "t-" + user, Long.MAX_VALUE);
    }

    /** Who may read what, as a set; mallory may not upload; uploads over {@link #maxTotal} are too large. */
    static final class Access implements BlobAccess {
        final Set<String> readable = new HashSet<>();
        final List<String> uploaded = new ArrayList<>();
        long maxTotal = Long.MAX_VALUE;
        /** Users whose uploads the store need not force to disk. */
        final Set<String> notDurable = new HashSet<>();

        @Override
        public boolean mayRead(Identity caller, String id) {
            return readable.contains(caller.user() + " " + id);
        }

        @Override
        public Optional<String> refuseUpload(Identity caller, String id, long totalBytes) {
            if (caller.user().equals("mallory")) {
                return Optional.of("mallory may not upload");
            }
            return totalBytes > maxTotal ? Optional.of("quota exceeded: " + totalBytes + " bytes is too much") : Optional.empty();
        }

        @Override
        public boolean mustBeDurable(Identity caller, String id) {
            return !notDurable.contains(caller.user());
        }

        @Override
        public void uploaded(Identity caller, String id, long bytes) {
            uploaded.add(caller.user() + " " + id + " " + bytes);
            readable.add(caller.user() + " " + id);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        store = new FileBlobStore(dir.resolve("blobs"), 1L << 30, 0);
        access = new Access();
        servlet = new BlobServlet(store, access);
    }

    private Answer send(String method, String id, Identity caller, Map<String, String> headers, byte[] body) throws Exception {
        return FakeHttp.send(servlet, method, id, caller, headers, body);
    }

    private Answer put(String id, Identity caller, byte[] data, int from, int to) throws Exception {
        byte[] chunk = Arrays.copyOfRange(data, from, to);
        Map<String, String> headers = from == 0 && to == data.length ? Map.of()
                : Map.of("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + data.length);
        return send("PUT", id, caller, headers, chunk);
    }

    private List<Path> parts() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("blobs").resolve("uploads"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /** A blob alice stored and may read. */
    private String alicesBlob(byte[] data) throws Exception {
        Answer answer = put(FileBlobStoreTest.sha256(data), ALICE, data, 0, data.length);
        assertEquals(201, answer.status, answer.text());
        return FileBlobStoreTest.sha256(data);
    }

    @Test
    void withoutAnIdentityNothingIsReadOrStored() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(1000, 1);
        String id = alicesBlob(data);
        byte[] other = FileBlobStoreTest.bytes(1000, 2);
        String otherId = FileBlobStoreTest.sha256(other);
        for (String method : List.of("GET", "HEAD", "DELETE", "POST")) {
            Answer answer = send(method, id, null, Map.of(), null);
            assertEquals(401, answer.status, method);
            assertFalse(answer.text().contains(new String(data, java.nio.charset.StandardCharsets.ISO_8859_1)));
        }
        Answer put = send("PUT", otherId, null, Map.of(), other);
        assertEquals(401, put.status);
        assertTrue(put.header("WWW-Authenticate").startsWith("Bearer"));
        assertTrue(store.find(otherId).isEmpty());
        assertEquals(List.of(), parts());
        assertEquals(List.of("alice " + id + " 1000"), access.uploaded);
    }

    @Test
    void aBlobTheCallerMayNotReadAnswersExactlyLikeAMissingOne() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(5000, 3);
        String id = alicesBlob(data);
        String missing = FileBlobStoreTest.sha256(new byte[] { 1 });

        Answer refused = send("GET", id, BOB, Map.of(), null);
        Answer absent = send("GET", missing, BOB, Map.of(), null);
        assertEquals(404, refused.status);
        assertEquals(absent.text().replace(missing, "ID"), refused.text().replace(id, "ID"));
        assertTrue(refused.body.size() < 200, "no bytes of the blob: " + refused.body.size());
        assertNull(refused.header("ETag"));
        assertEquals(404, send("GET", id, BOB, Map.of("Range", "bytes=0-99"), null).status);

        Answer head = send("HEAD", id, BOB, Map.of(), null);
        assertEquals(404, head.status);
        assertEquals("0", head.header("Upload-Offset"));
        assertNull(head.header("ETag"));

        Answer mine = send("GET", id, ALICE, Map.of(), null);
        assertEquals(200, mine.status);
        assertArrayEquals(data, mine.body.toByteArray());
    }

    @Test
    void aRefusedUploadStoresNothing() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(70_000, 4);
        String id = FileBlobStoreTest.sha256(data);

        Answer forbidden = put(id, MALLORY, data, 0, data.length);
        assertEquals(403, forbidden.status);
        assertTrue(forbidden.text().contains("mallory may not upload"), forbidden.text());
        assertEquals("close", forbidden.header("Connection"));

        access.maxTotal = 50_000;
        Answer tooLarge = put(id, ALICE, data, 0, 30_000);
        assertEquals(413, tooLarge.status, "the refusal is about the size only");
        assertTrue(tooLarge.text().contains("quota exceeded"), tooLarge.text());

        assertTrue(store.find(id).isEmpty());
        assertEquals(List.of(), parts(), "no .part file is left");
        assertEquals(List.of(), access.uploaded);
    }

    @Test
    void anUploadIsTheUploadersOnlyWhenItsOwnBytesHashToTheId() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(100_000, 5);
        String id = FileBlobStoreTest.sha256(data);
        assertEquals(202, put(id, ALICE, data, 0, 40_000).status);
        Answer done = put(id, ALICE, data, 40_000, data.length);
        assertEquals(201, done.status, done.text());
        assertEquals(List.of("alice " + id + " 100000"), access.uploaded);

        // bob knows the id: a body of the right length with other bytes does not make it his
        Answer forged = put(id, BOB, new byte[data.length], 0, data.length);
        assertEquals(422, forged.status, forged.text());
        Answer tail = put(id, BOB, data, 40_000, data.length);
        assertEquals(409, tail.status, "the end alone proves nothing: " + tail.text());
        assertEquals("0", tail.header("Upload-Offset"));
        assertEquals(404, send("GET", id, BOB, Map.of(), null).status);
        assertEquals(1, access.uploaded.size());

        // the real bytes do, and the stored blob is untouched throughout
        assertEquals(201, put(id, BOB, data, 0, data.length).status);
        assertEquals("bob " + id + " 100000", access.uploaded.get(1));
        assertArrayEquals(data, Files.readAllBytes(store.file(id)));
        assertArrayEquals(data, send("GET", id, BOB, Map.of(), null).body.toByteArray());
    }

    /** The access says which uploads need not be forced to disk (a provider's result); the store is told so, and stores them alike. */
    @Test
    void theStoreForcesToDiskWhatTheAccessSaysMustBeDurable() throws Exception {
        List<String> appends = new ArrayList<>();
        store = new FileBlobStore(dir.resolve("blobs"), 1L << 30, 0) {
            @Override
            public UploadState append(String id, long offset, long total, InputStream chunk, boolean durable) throws IOException {
                appends.add(id + (durable ? " durable" : " not durable"));
                return super.append(id, offset, total, chunk, durable);
            }
        };
        servlet = new BlobServlet(store, access);
        access.notDurable.add("bob");
        byte[] file = FileBlobStoreTest.bytes(70_000, 12);
        byte[] result = FileBlobStoreTest.bytes(70_000, 13);
        String fileId = alicesBlob(file);
        String resultId = FileBlobStoreTest.sha256(result);
        assertEquals(202, put(resultId, BOB, result, 0, 30_000).status);
        assertEquals(201, put(resultId, BOB, result, 30_000, result.length).status);

        assertEquals(List.of(fileId + " durable", resultId + " not durable", resultId + " not durable"), appends);
        assertArrayEquals(file, Files.readAllBytes(store.file(fileId)));
        assertArrayEquals(result, Files.readAllBytes(store.file(resultId)), "stored as any other, only not forced to disk");
        String other = FileBlobStoreTest.sha256(FileBlobStoreTest.bytes(70_000, 14));
        assertEquals(422, put(other, BOB, new byte[70_000], 0, 70_000).status, "its bytes must still hash to the id");
        assertTrue(store.find(other).isEmpty());
    }

    @Test
    void nobodyFinishesAnotherUploadersUpload() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(100_000, 6);
        String id = FileBlobStoreTest.sha256(data);
        assertEquals(202, put(id, ALICE, data, 0, 60_000).status);

        assertEquals("0", send("HEAD", id, BOB, Map.of(), null).header("Upload-Offset"), "bob does not see alice's progress");
        Answer tail = put(id, BOB, data, 60_000, data.length);
        assertEquals(409, tail.status);
        assertTrue(store.find(id).isEmpty(), "bob's tail did not complete alice's upload");

        assertEquals("60000", send("HEAD", id, ALICE, Map.of(), null).header("Upload-Offset"));
        assertEquals(201, put(id, ALICE, data, 60_000, data.length).status);
        assertEquals(List.of("alice " + id + " 100000"), access.uploaded);
    }

    @Test
    void afterARestartTheSoleUploaderGoesOnWhereTheStoreStands() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(100_000, 7);
        String id = FileBlobStoreTest.sha256(data);
        assertEquals(202, put(id, ALICE, data, 0, 60_000).status);

        servlet = new BlobServlet(store, access); // a restart: the proofs in memory are gone, the .part and its note stay
        assertEquals("60000", send("HEAD", id, ALICE, Map.of(), null).header("Upload-Offset"));
        assertEquals("0", send("HEAD", id, BOB, Map.of(), null).header("Upload-Offset"));
        assertEquals(409, put(id, BOB, data, 60_000, data.length).status, "the stored bytes are alice's, not bob's");
        Answer rest = put(id, ALICE, data, 60_000, data.length);
        assertEquals(201, rest.status, rest.text());
        assertArrayEquals(data, Files.readAllBytes(store.file(id)));
        assertEquals(List.of(), parts(), "neither the .part nor its note is left");
        assertEquals(List.of("alice " + id + " 100000"), access.uploaded);
    }

    @Test
    void aWholeUploadWhoseConnectionDroppedIsTheUploadersToGoOnWithAfterARestart() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(100_000, 11);
        String id = FileBlobStoreTest.sha256(data);
        Answer broken = FakeHttp.send(servlet, "PUT", id, ALICE, Map.of(), Arrays.copyOf(data, 60_000), data.length);
        assertNotEquals(201, broken.status, "a blob with its last 40000 bytes missing");
        assertTrue(store.find(id).isEmpty());

        servlet = new BlobServlet(store, access); // a restart
        assertEquals("60000", send("HEAD", id, ALICE, Map.of(), null).header("Upload-Offset"), "what arrived is alice's");
        assertEquals("0", send("HEAD", id, BOB, Map.of(), null).header("Upload-Offset"));
        Answer rest = put(id, ALICE, data, 60_000, data.length);
        assertEquals(201, rest.status, rest.text());
        assertArrayEquals(data, Files.readAllBytes(store.file(id)));
        assertEquals(List.of(), parts(), "neither the .part nor its note is left");
    }

    @Test
    void anUploadTwoUploadersWroteIsNobodysAfterARestartAndIsSentAgain() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(100_000, 9);
        String id = FileBlobStoreTest.sha256(data);
        assertEquals(202, put(id, ALICE, data, 0, 30_000).status);
        Answer bobs = put(id, BOB, data, 0, 60_000); // bob's first 30000 bytes are only hashed, the next 30000 stored
        assertEquals(202, bobs.status, bobs.text());
        assertEquals("60000", bobs.header("Upload-Offset"));

        servlet = new BlobServlet(store, access);
        assertEquals("0", send("HEAD", id, ALICE, Map.of(), null).header("Upload-Offset"), "alice did not send bytes 30000-59999");
        assertEquals("0", send("HEAD", id, BOB, Map.of(), null).header("Upload-Offset"));
        assertEquals(409, put(id, ALICE, data, 60_000, data.length).status);
        Answer again = put(id, ALICE, data, 0, data.length); // the stored 60000 bytes are hashed, the rest written
        assertEquals(201, again.status, again.text());
        assertArrayEquals(data, Files.readAllBytes(store.file(id)));
        assertEquals(List.of("alice " + id + " 100000"), access.uploaded);
        assertEquals(List.of(), parts());
    }

    @Test
    void aPutOfABlobTheCallerHasAlreadyReadsNothing() throws Exception {
        byte[] data = FileBlobStoreTest.bytes(1000, 8);
        String id = alicesBlob(data);
        Answer again = put(id, ALICE, data, 0, data.length);
        assertEquals(201, again.status);
        assertEquals("close", again.header("Connection"), "the unread body makes the connection unusable");
        assertEquals(1, access.uploaded.size());
    }
}
