package org.daig.blob.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.daig.blob.FileBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's token, timeouts and download limits: what a provider needs against a server it cannot trust. */
class BlobClientLimitsTest {

    private static final String ID = HexFormat.of().formatHex(new byte[32]);

    @TempDir
    Path dir;
    private StoreServer server;
    private Raw raw;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (raw != null) {
            raw.close();
        }
    }

    @Test
    void everyRequestCarriesTheCurrentToken() throws Exception {
        server = new StoreServer(new FileBlobStore(dir.resolve("server"), 1L << 30, 0));
        AtomicInteger renewals = new AtomicInteger();
        BlobClient client = new BlobClient(server.base(), () -> "daig_t" + (renewals.incrementAndGet() > 2 ? "2" : "1") + "_secret");
        client.setChunkBytes(1000);
        Path file = Files.write(dir.resolve("up.bin"), BlobClientTest.bytes(2500, 1));

        String id = client.upload(file, null);
        client.download(id, dir.resolve("down.bin"), null);

        assertEquals(5, server.authorizations.size(), server.requests.toString()); // HEAD, 3 PUTs, GET
        assertEquals(List.of("Bearer daig_t1_secret", "Bearer daig_t1_secret"), server.authorizations.subList(0, 2));
        assertEquals(Set.of("Bearer daig_t2_secret"), Set.copyOf(server.authorizations.subList(2, 5)), "a renewed token is used at once");
    }

    @Test
    void withoutATokenNoneIsSent() throws Exception {
        server = new StoreServer(new FileBlobStore(dir.resolve("server"), 1L << 30, 0));
        for (BlobClient client : List.of(new BlobClient(server.base()), new BlobClient(server.base(), () -> null),
                new BlobClient(server.base(), () -> " "))) {
            client.status(ID);
        }
        assertEquals(List.of("-", "-", "-"), server.authorizations);
    }

    @Test
    void aBlobLargerThanTheClientTakesIsRefusedBeforeAnyByteIsKept() throws Exception {
        server = new StoreServer(new FileBlobStore(dir.resolve("server"), 1L << 30, 0));
        String id = server.store.write(new ByteArrayInputStream(BlobClientTest.bytes(5000, 2))).id();
        BlobClient client = new BlobClient(server.base());
        client.setMaxDownloadBytes(4999);

        IOException e = assertThrows(IOException.class, () -> client.download(id, dir.resolve("big.bin"), null));

        assertTrue(e.getMessage().contains("5000 bytes, more than the 4999"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("big.bin")));
        assertFalse(Files.exists(dir.resolve("big.bin.part")));
        assertEquals(1, server.count("GET"), "a final refusal is not retried");
    }

    @Test
    void aServerThatStopsSendingIsCutOff() throws Exception {
        raw = new Raw("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789", true);
        BlobClient client = client(raw);
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(IOException.class, () -> client.download(ID, dir.resolve("stalled.bin"), null)));
        assertTrue(e.getMessage().contains("no bytes arrived"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("stalled.bin")));
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        raw = new Raw(null, true);
        BlobClient client = client(raw);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(HttpTimeoutException.class, () -> client.status(ID)));
    }

    @Test
    void aDownloadOfUnannouncedLengthIsRefused() throws Exception {
        raw = new Raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false);
        BlobClient client = client(raw);
        IOException e = assertThrows(IOException.class, () -> client.download(ID, dir.resolve("chunked.bin"), null));
        assertTrue(e.getMessage().contains("did not announce the size"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("chunked.bin")));
    }

    private static BlobClient client(Raw server) {
        BlobClient client = new BlobClient(URI.create("http://127.0.0.1:" + server.socket.getLocalPort() + "/api/v1/blobs/"));
        client.setTimeout(Duration.ofMillis(500));
        client.setMaxAttempts(1);
        return client;
    }

    /** A server that reads a request's head, answers with fixed bytes (or nothing), and then stalls or closes. */
    private static final class Raw implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final CountDownLatch closed = new CountDownLatch(1);

        Raw(String answer, boolean stall) throws IOException {
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        readHead(s.getInputStream());
                        if (answer != null) {
                            OutputStream out = s.getOutputStream();
                            out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                        }
                        if (stall) {
                            closed.await();
                        }
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "raw-server");
            t.setDaemon(true);
            t.start();
        }

        private static void readHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = { '\r', '\n', '\r', '\n' };
            for (int b; matched < 4 && (b = in.read()) >= 0;) {
                matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            }
        }

        @Override
        public void close() throws IOException {
            closed.countDown();
            socket.close();
        }
    }
}
