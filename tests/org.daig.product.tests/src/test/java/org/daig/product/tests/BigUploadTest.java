package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.daig.blob.client.BlobClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-GB upload to a coordinator whose heap is capped at 256 MB, killed with SIGKILL part way
 * and restarted: the client picks up at the offset the coordinator kept, the blob is verified and
 * complete, and the coordinator never ran out of memory.
 */
class BigUploadTest {

    private static final long SIZE = (2L << 30) + 12345; // a little over 2 GiB, not a multiple of the chunk size

    @BeforeAll
    static void productsExist() {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 coordinator product is not materialized: run ./mvnw verify on linux-x86_64");
    }

    @Test
    void aTwoGigabyteUploadResumesAfterACoordinatorCrashWithA256MbHeap(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.getFileStore(tmp).getUsableSpace() > 3 * SIZE, "less than " + 3 * SIZE / (1 << 30) + " GiB free under " + tmp);
        Path file = tmp.resolve("big.npy");
        byte[] block = new byte[1 << 20];
        new SplittableRandom(3).nextBytes(block);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < SIZE; written += block.length) {
                block[0] = (byte) (written >> 20); // no two blocks alike
                block[1] = (byte) (written >> 28);
                out.write(block, 0, (int) Math.min(block.length, SIZE - written));
            }
        }
        String id = BlobClient.sha256(file);
        int[] ports = ProductsTest.freePorts(2);
        URI blobs = URI.create("http://127.0.0.1:" + ports[1] + "/api/v1/blobs/");
        Path work = tmp.resolve("coordinator");
        ProductProcess coordinator = start(work, ports);
        try {
            // A requestor's upload (the account's quota, 20 GiB by default, holds it); its login outlives the crash.
            String token = coordinator.accounts("http://127.0.0.1:" + ports[1]).requestor();
            // Send the first 600 MB as a client would before its connection (here: the coordinator) dies.
            HttpClient http = HttpClient.newHttpClient();
            long chunk = 100L << 20;
            for (long offset = 0; offset < 6 * chunk; offset += chunk) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(blobs.resolve(id)).header("Authorization", "Bearer " + token)
                        .header("Content-Range", "bytes " + offset + "-" + (offset + chunk - 1) + "/" + SIZE)
                        .PUT(slice(file, offset, chunk)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, r.statusCode(), r.body());
            }
            coordinator.kill9();
            coordinator = start(work, ports);
            BlobClient client = new BlobClient(blobs, () -> token);
            BlobClient.Status before = client.status(id);
            assertFalse(before.complete());
            assertEquals(6 * chunk, before.bytes(), "the coordinator kept what arrived before it was killed");
            long[] sent = new long[1];
            assertEquals(id, client.upload(file, n -> sent[0] = n));
            BlobClient.Status after = client.status(id);
            assertTrue(after.complete());
            assertEquals(SIZE, after.bytes());
            assertFalse(coordinator.printed("OutOfMemoryError"), String.join("\n", coordinator.output()));
        } finally {
            coordinator.close();
        }
    }

    private static ProductProcess start(Path work, int[] ports) throws Exception {
        ProductProcess c = Files.exists(work.resolve("config")) ? ProductProcess.reuse(work) : ProductProcess.coordinator(work);
        c.set("org.daig.broker.cfg", "port", ports[0])
                .set("org.daig.transport.mqtt-coordinator.cfg", "brokerUrl", "tcp://127.0.0.1:" + ports[0])
                .set("org.apache.felix.http.cfg", "org.osgi.service.http.port", ports[1])
                .env("JAVA_OPTS", "-Xmx256m").start();
        c.awaitLine("DAIG coordinator ready: " + ProductsTest.READY, ProductsTest.START);
        return c;
    }

    private static HttpRequest.BodyPublisher slice(Path file, long offset, long length) throws Exception {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                java.io.InputStream in = Files.newInputStream(file);
                in.skipNBytes(offset);
                return new java.io.InputStream() {
                    long left = length;

                    @Override
                    public int read() throws java.io.IOException {
                        return left-- > 0 ? in.read() : -1;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        if (left <= 0) {
                            return -1;
                        }
                        int n = in.read(b, off, (int) Math.min(len, left));
                        left -= Math.max(n, 0);
                        return n;
                    }

                    @Override
                    public void close() throws java.io.IOException {
                        in.close();
                    }
                };
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), length);
    }
}
