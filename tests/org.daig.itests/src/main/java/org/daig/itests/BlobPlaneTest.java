package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.daig.api.blob.BlobStore;
import org.daig.blob.client.BlobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;

/**
 * The blob plane in a running framework: the BlobStore component behind the Jetty whiteboard at
 * /api/v1/blobs/, used through BlobClient and with plain HTTP requests.
 */
class BlobPlaneTest {

    private static final int MIB = 1 << 20;

    private final Grid grid = new Grid();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        grid.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private BlobStore store() {
        return grid.service(BlobStore.class, null).orElseThrow(() -> new AssertionError("no BlobStore: org.daig.blob inactive?"));
    }

    /** A blob id this test uses, with whatever an earlier run in the same data folder left of it removed. */
    private String fresh(byte[] data) throws Exception {
        String id = sha256(data);
        store().delete(id);
        return id;
    }

    /** The admin's token: the blob plane admits nobody without one, and an admin may read and write every blob. */
    private String token;

    /** The blob endpoint of the framework's Jetty, once the servlet answers there. */
    private URI blobs() {
        token = grid.adminToken();
        String base = Grid.eventually("the HTTP endpoint", () -> grid.context.getServiceReference(HttpServiceRuntime.class) == null ? null
                : endpoint(grid.context.getServiceReference(HttpServiceRuntime.class).getProperty("osgi.http.endpoint")));
        URI blobs = URI.create(base + "api/v1/blobs/");
        URI probe = blobs.resolve(HexFormat.of().formatHex(new byte[32]));
        Grid.await("the blob servlet at " + blobs, () -> {
            try {
                return head(probe).headers().firstValue("Upload-Offset").isPresent();
            } catch (IOException e) {
                return false;
            }
        });
        return blobs;
    }

    private static String endpoint(Object property) {
        String first = property instanceof String[] a && a.length > 0 ? a[0] : property instanceof String s ? s : null;
        if (first == null || first.contains(":0/")) {
            return null;
        }
        return first.endsWith("/") ? first : first + "/";
    }

    private HttpResponse<String> head(URI uri) throws IOException {
        return send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> get(URI uri, String range) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (range != null) {
            request.header("Range", range);
        }
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return http.send(request.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Test
    void aFileTravelsUpAndDownThroughTheClient() throws Exception {
        URI blobs = blobs();
        byte[] data = random(5 * MIB + 321, 1);
        String id = fresh(data);
        Path file = Files.write(tmp.resolve("up.bin"), data);
        BlobClient client = new BlobClient(blobs, () -> token);
        client.setChunkBytes(MIB);

        assertEquals(id, client.upload(file, null));

        assertEquals(data.length, store().find(id).orElseThrow().size());
        HttpResponse<String> head = head(blobs.resolve(id));
        assertEquals(200, head.statusCode());
        assertEquals(data.length, head.headers().firstValueAsLong("Content-Length").orElse(-1));
        Path down = client.download(id, tmp.resolve("down").resolve("blob.bin"), null);
        assertArrayEquals(data, Files.readAllBytes(down));
    }

    @Test
    void anInterruptedUploadResumesWhereTheServerStands() throws Exception {
        URI blobs = blobs();
        byte[] data = random(3 * MIB + 123, 2);
        String id = fresh(data);
        Path file = Files.write(tmp.resolve("resume.bin"), data);

        // The first chunk, as a client sends it before its connection breaks.
        HttpResponse<String> first = send(HttpRequest.newBuilder(blobs.resolve(id))
                .header("Content-Range", "bytes 0-" + (MIB - 1) + "/" + data.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data, 0, MIB)), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, first.statusCode(), first.body());
        assertEquals(MIB, first.headers().firstValueAsLong("Upload-Offset").orElse(-1));
        assertTrue(first.body().contains("\"received\":" + MIB), first.body());
        HttpResponse<String> head = head(blobs.resolve(id));
        assertEquals(404, head.statusCode());
        assertEquals(MIB, head.headers().firstValueAsLong("Upload-Offset").orElse(-1));

        BlobClient client = new BlobClient(blobs, () -> token);
        client.setChunkBytes(MIB);
        List<Long> progress = new ArrayList<>();
        assertEquals(id, client.upload(file, progress::add));

        assertEquals(MIB, progress.get(0), "the client went on from the server's offset");
        assertArrayEquals(data, Files.readAllBytes(store().file(id)));
    }

    /**
     * A PUT of a blob the store already has is answered at once, without reading the body; the
     * answer then closes the connection, so a client reusing connections sends its next request
     * (here a POST, which the JDK's client never retries) on a fresh one.
     */
    @Test
    void anUploadOfAKnownBlobEndsItsConnectionAndTheNextRequestWorks() throws Exception {
        URI blobs = blobs();
        byte[] data = random(300_000, 4);
        fresh(data);
        String id = store().write(new java.io.ByteArrayInputStream(data)).id();
        HttpResponse<String> again = send(HttpRequest.newBuilder(blobs.resolve(id)).PUT(HttpRequest.BodyPublishers.ofByteArray(data)),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, again.statusCode(), again.body());
        assertEquals("close", again.headers().firstValue("Connection").orElse("").toLowerCase(java.util.Locale.ROOT));
        HttpResponse<String> next = send(HttpRequest.newBuilder(blobs.resolve("../projects"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")), HttpResponse.BodyHandlers.ofString());
        assertEquals(422, next.statusCode(), "a POST right after, on the same client, is answered: " + next.body());
    }

    @Test
    void rangesAreServedAndRangesPastTheEndRefused() throws Exception {
        URI blobs = blobs();
        byte[] data = random(200_000, 3);
        fresh(data);
        String id = store().write(new java.io.ByteArrayInputStream(data)).id();

        HttpResponse<byte[]> whole = get(blobs.resolve(id), null);
        assertEquals(200, whole.statusCode());
        assertArrayEquals(data, whole.body());
        assertEquals("\"" + id + "\"", whole.headers().firstValue("ETag").orElse(""));
        assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElse(""));
        assertTrue(whole.headers().firstValue("Cache-Control").orElse("").contains("immutable"));

        HttpResponse<byte[]> part = get(blobs.resolve(id), "bytes=1000-1999");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 1000-1999/200000", part.headers().firstValue("Content-Range").orElse(""));
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 2000), part.body());

        HttpResponse<byte[]> tail = get(blobs.resolve(id), "bytes=-100");
        assertEquals(206, tail.statusCode());
        assertArrayEquals(Arrays.copyOfRange(data, data.length - 100, data.length), tail.body());

        HttpResponse<byte[]> past = get(blobs.resolve(id), "bytes=200000-");
        assertEquals(416, past.statusCode());
        assertEquals("bytes */200000", past.headers().firstValue("Content-Range").orElse(""));
    }

    @Test
    void bytesThatDoNotMatchTheirIdAreRefusedAndNotKept() throws Exception {
        URI blobs = blobs();
        byte[] data = random(100_000, 4);
        String actual = fresh(data);
        String promised = fresh(random(100_000, 5));

        HttpResponse<String> put = send(HttpRequest.newBuilder(blobs.resolve(promised)).PUT(HttpRequest.BodyPublishers.ofByteArray(data)),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(422, put.statusCode(), put.body());
        assertTrue(put.body().startsWith("{\"error\":") && put.body().contains(promised) && put.body().contains(actual), put.body());
        HttpResponse<String> head = head(blobs.resolve(promised));
        assertEquals(404, head.statusCode());
        assertEquals(0, head.headers().firstValueAsLong("Upload-Offset").orElse(-1), "the upload was discarded");
        assertTrue(store().find(promised).isEmpty());
        assertTrue(store().find(actual).isEmpty());
    }

    @Test
    void malformedIdsAndDeletesAreRefused() throws Exception {
        URI blobs = blobs();
        byte[] data = random(1000, 6);
        fresh(data);
        String id = store().write(new java.io.ByteArrayInputStream(data)).id();

        HttpResponse<String> put = send(HttpRequest.newBuilder(blobs.resolve("not-a-sha256")).PUT(HttpRequest.BodyPublishers.ofByteArray(data)),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, put.statusCode());
        assertTrue(put.body().contains("SHA-256"), put.body());
        assertEquals(400, get(blobs.resolve(id.toUpperCase()), null).statusCode());

        HttpResponse<String> delete = send(HttpRequest.newBuilder(blobs.resolve(id)).DELETE(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, delete.statusCode());
        assertTrue(store().find(id).isPresent(), "blobs are deleted by the coordinator only");
    }
}
