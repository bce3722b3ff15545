package org.daig.provider.work;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.daig.api.task.Task;
import org.daig.api.trainer.WorkerLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The provider's blob downloads and its result upload carry its device token (from
 * provider/device-token), against a stand-in blob plane that refuses any other.
 */
class DeviceTokenOnBlobsTest {

    private static final String TOKEN = "daig_d1_devicesecretdevicesecret";

    @TempDir
    Path dir;
    private HttpServer server;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/blobs/", this::blob);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void blob(HttpExchange exchange) throws IOException {
        try (exchange) {
            String id = exchange.getRequestURI().getPath().substring("/api/v1/blobs/".length());
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(exchange.getRequestMethod() + " " + (auth == null ? "-" : auth));
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!("Bearer " + TOKEN).equals(auth)) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            switch (exchange.getRequestMethod()) {
            case "GET" -> {
                byte[] bytes = blobs.get(id);
                exchange.sendResponseHeaders(bytes == null ? 404 : 200, bytes == null ? -1 : bytes.length);
                if (bytes != null) {
                    exchange.getResponseBody().write(bytes);
                }
            }
            case "HEAD" -> {
                byte[] bytes = blobs.get(id);
                exchange.getResponseHeaders().set(bytes == null ? "Upload-Offset" : "Content-Length", bytes == null ? "0" : "" + bytes.length);
                exchange.sendResponseHeaders(bytes == null ? 404 : 200, -1);
            }
            case "PUT" -> {
                blobs.put(id, body);
                exchange.sendResponseHeaders(201, -1);
            }
            default -> exchange.sendResponseHeaders(405, -1);
            }
        }
    }

    private String put(byte[] bytes) throws Exception {
        String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        blobs.put(id, bytes);
        return id;
    }

    private TaskTrainer trainer(Path providerFolder) {
        WarmWorker warm = new WarmWorker(new Fakes.FakeLauncher(), () -> new WorkerLimits("1g", 1, true));
        return new TaskTrainer(providerFolder.resolve("cache"), 1 << 20, dir, warm, new DeviceTokenFile(providerFolder));
    }

    private Task task(String model, String params, String x, String y) {
        return new Task("l", "p", 0, 0, 0, model, params, x, y, 1, 1, 1, 1, 0,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/blobs/");
    }

    @Test
    void downloadsAndTheResultUploadSendTheDeviceToken() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("provider"));
        Files.writeString(folder.resolve("device-token"), TOKEN);
        String model = put(new byte[] { 1, 2, 3 });
        String params = put(new byte[] { 4 });
        String x = put(new byte[] { 5, 6 });
        String y = put(new byte[] { 7 });
        TaskTrainer trainer = trainer(folder);

        TaskTrainer.Inputs inputs = trainer.download(task(model, params, x, y));
        String delta = trainer.upload(task(model, params, x, y), new float[] { 0.5f });

        assertArrayEquals(new byte[] { 1, 2, 3 }, Files.readAllBytes(inputs.model()));
        assertTrue(blobs.containsKey(delta), "the delta was uploaded");
        assertFalse(seen.isEmpty());
        assertTrue(seen.stream().allMatch(s -> s.endsWith(" Bearer " + TOKEN)), seen.toString());
    }

    /**
     * A project with topk compression: the update goes up in the task's encoding, and what the
     * first task's encoding dropped rides on the second task's update (error feedback).
     */
    @Test
    void compressedUpdatesGoUpInTheTasksEncodingAndCarryTheirResidual() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("provider"));
        Files.writeString(folder.resolve("device-token"), TOKEN);
        TaskTrainer trainer = trainer(folder);
        Task task = new Task("l", "p", 0, 0, 0, "m", "w", "x", "y", 1, 1, 1, 1, 0,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/blobs/", "topk:0.01");
        float[] delta = new float[200];
        delta[7] = 3;
        delta[50] = -2; // 0.01 of 200: two values go up, the largest
        delta[120] = 1;
        org.daig.wire.UpdateCodec.Compression topk = org.daig.wire.UpdateCodec.Compression.parse("topk:0.01");
        float[] first = org.daig.wire.UpdateCodec.decode(new java.io.ByteArrayInputStream(blobs.get(trainer.upload(task, delta))), 200,
                topk);
        assertEquals(3f, first[7]);
        assertEquals(-2f, first[50]);
        assertEquals(0f, first[120], "dropped this time");
        float[] second = org.daig.wire.UpdateCodec.decode(new java.io.ByteArrayInputStream(blobs.get(trainer.upload(task, new float[200]))),
                200, topk);
        assertEquals(1f, second[120], "what the first encoding dropped goes up with the next update");
    }

    @Test
    void withoutADeviceTokenNothingIsSentAsOneAndTheDownloadIsRefused() throws Exception {
        String model = put(new byte[] { 9 });

        IOException e = assertThrows(IOException.class, () -> trainer(dir.resolve("no-provider")).download(task(model, model, model, model)));

        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertTrue(seen.stream().allMatch(s -> s.endsWith(" -")), seen.toString());
    }

    @Test
    void aNewTokenIsPickedUpWhenTheFileChanges() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("provider"));
        DeviceTokenFile token = new DeviceTokenFile(folder);
        assertNull(token.get());

        Files.writeString(folder.resolve("device-token"), "daig_a_first\n");
        assertEquals("daig_a_first", token.get());
        Files.writeString(folder.resolve("device-token"), "daig_b_second");
        Files.setLastModifiedTime(folder.resolve("device-token"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        assertEquals("daig_b_second", token.get());
        Files.delete(folder.resolve("device-token"));
        assertNull(token.get());
    }

    private String npy(float[] values) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.daig.wire.VectorFile.write(out, values);
        return put(out.toByteArray());
    }

    private Task sent(int version, String params, List<String> diffs) throws Exception {
        String model = put(new byte[] { 1 });
        String shard = put(new byte[] { 2 });
        return new Task("l" + version, "p", version, 0, version, model, params, shard, shard, 1, 1, 1, 1, 0,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/blobs/", "int8:64", diffs);
    }

    /**
     * Parameters down as differences: holding version 0, the provider rebuilds version 2 from
     * the two differences alone (version 2's whole vector is never asked for), and a difference
     * that does not lead to the task's blob id falls back to the whole download.
     */
    @Test
    void parametersAreRebuiltFromHeldOnesAndTheTasksDifferencesOrElseDownloadedWhole() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("provider"));
        Files.writeString(folder.resolve("device-token"), TOKEN);
        org.daig.wire.UpdateCodec.Compression int8 = org.daig.wire.UpdateCodec.Compression.parse("int8:64");
        java.util.Random random = new java.util.Random(5);
        float[] sent = new float[300];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (float) random.nextGaussian();
        }
        String version0 = npy(sent);
        List<String> diffs = new ArrayList<>();
        for (int v = 1; v <= 2; v++) {
            float[] exact = sent.clone();
            for (int i = 0; i < exact.length; i++) {
                exact[i] += (float) (0.01 * random.nextGaussian());
            }
            byte[] diff = org.daig.wire.ParamsDiff.encode(sent, exact, int8);
            org.daig.wire.ParamsDiff.apply(sent, diff, int8);
            diffs.add(put(diff));
        }
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        org.daig.wire.VectorFile.write(whole, sent);
        String version2 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(whole.toByteArray()));
        TaskTrainer trainer = trainer(folder);
        trainer.download(sent(0, version0, null));

        TaskTrainer.Inputs rebuilt = trainer.download(sent(2, version2, diffs));
        assertArrayEquals(whole.toByteArray(), Files.readAllBytes(rebuilt.params()));
        assertFalse(blobs.containsKey(version2), "never on the server: only the differences could have made it");

        TaskTrainer other = trainer(Files.createDirectories(dir.resolve("other")));
        Files.writeString(dir.resolve("other").resolve("device-token"), TOKEN);
        other.download(sent(0, version0, null));
        blobs.put(version2, whole.toByteArray());
        List<String> forged = List.of(diffs.get(1), diffs.get(0)); // valid blobs, wrong order: they lead elsewhere
        TaskTrainer.Inputs fallback = other.download(sent(2, version2, forged));
        assertArrayEquals(whole.toByteArray(), Files.readAllBytes(fallback.params()), "the whole vector, downloaded");

        TaskTrainer third = trainer(Files.createDirectories(dir.resolve("third")));
        Files.writeString(dir.resolve("third").resolve("device-token"), TOKEN);
        third.download(sent(0, version0, null));
        byte[] garbage = "DUP not really a difference".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        TaskTrainer.Inputs refused = third.download(sent(2, version2, List.of(put(garbage), diffs.get(1))));
        assertArrayEquals(whole.toByteArray(), Files.readAllBytes(refused.params()), "a malformed difference is refused: downloaded whole");
        assertArrayEquals(Files.readAllBytes(dir.resolve("third").resolve("cache").resolve(version0)), blobs.get(version0),
                "and the parameters held are untouched");
    }
}
