package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.Worker;
import org.daig.blob.client.BlobClient;
import org.daig.wire.VectorFile;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A provider speaking docs/protocol.md by hand on the real broker: presence, task requests and
 * results on its own topics, blobs over HTTP with its device token. It can train a task for real
 * in a worker, as the provider does, so that tests can hand in honest updates or doctored ones.
 */
final class HandProvider implements AutoCloseable {

    final String id;
    final String token;
    private final String root;
    private final RawClient client;
    private final BlockingQueue<JsonObject> replies = new LinkedBlockingQueue<>();

    HandProvider(Grid grid, String url, String id) throws Exception {
        this.id = id;
        this.root = grid.topicRoot + "/";
        this.token = grid.accounts.device(id);
        client = RawClient.connect(url, id, id, token);
        client.onMessage(m -> replies.add(JsonParser.parseString(m.payload()).getAsJsonObject()));
        assertTrue(client.subscribe(root + "coordinators/+/to/" + id + "/tasks"));
        client.send(root + "providers/" + id + "/presence", "{\"clientId\":\"" + id + "\",\"role\":\"provider\",\"online\":true,\"since\":"
                + System.currentTimeMillis() + "}", true);
    }

    JsonObject exchange(String kind, String message, String requestId) throws Exception {
        client.send(root + "providers/" + id + "/tasks/" + kind, message, false);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonObject reply;
        do {
            reply = replies.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } while (reply != null && !requestId.equals(reply.get("requestId").getAsString()));
        return reply;
    }

    JsonObject request() throws Exception {
        String requestId = UUID.randomUUID().toString();
        return exchange("request", "{\"requestId\":\"" + requestId + "\",\"maxParams\":0}", requestId);
    }

    JsonObject awaitTask() {
        return Grid.eventually("a task for " + id + ", once the project is prepared", () -> {
            try {
                JsonObject reply = request();
                return reply != null && "TASK".equals(reply.get("kind").getAsString()) ? reply.getAsJsonObject("task") : null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /** Hands in a result for {@code task} whose delta is the blob {@code delta}; returns the reply. */
    JsonObject hand(JsonObject task, String delta) throws Exception {
        String requestId = UUID.randomUUID().toString();
        String result = "{\"requestId\":\"" + requestId + "\",\"leaseId\":\"" + task.get("leaseId").getAsString() + "\",\"projectId\":\""
                + task.get("projectId").getAsString() + "\",\"round\":" + task.get("round").getAsInt() + ",\"shard\":"
                + task.get("shard").getAsInt() + ",\"version\":" + task.get("version").getAsInt() + ",\"delta\":\"" + delta
                + "\",\"samples\":" + task.get("rows").getAsLong() + ",\"loss\":0.5,\"accuracy\":0.5,\"seconds\":1.0}";
        return exchange("result", result, requestId);
    }

    /** Trains {@code task} in {@code worker} from its blobs, as a provider does, and returns the update. */
    float[] train(Worker worker, JsonObject task, Path dir) throws Exception {
        BlobClient blobs = new BlobClient(URI.create(task.get("blobBaseUrl").getAsString()), () -> token);
        Path model = blobs.download(task.get("model").getAsString(), Files.createTempFile(dir, "model", ".json"), n -> { });
        Path params = blobs.download(task.get("params").getAsString(), Files.createTempFile(dir, "params", ".npy"), n -> { });
        Path x = blobs.download(task.get("x").getAsString(), Files.createTempFile(dir, "x", ".npy"), n -> { });
        Path y = blobs.download(task.get("y").getAsString(), Files.createTempFile(dir, "y", ".npy"), n -> { });
        TrainerClient trainer = new TrainerClient(worker);
        long count = trainer.loadCanonical(model).params();
        float[] start;
        try (InputStream in = Files.newInputStream(params)) {
            start = VectorFile.read(in, count);
        }
        return trainer.train(new TrainerClient.TrainRequest(TrainerClient.DataFiles.all(x, y), task.get("epochs").getAsInt(),
                task.get("batchSize").getAsInt(), task.get("seed").getAsLong()), start).delta();
    }

    /** Uploads an update with this device's token; returns its blob id. */
    String upload(JsonObject task, float[] delta, Path dir) throws Exception {
        Path file = Files.createTempFile(dir, "delta", ".npy");
        try (OutputStream out = Files.newOutputStream(file)) {
            VectorFile.write(out, delta);
        }
        return new BlobClient(URI.create(task.get("blobBaseUrl").getAsString()), () -> token).upload(file, n -> { });
    }

    @Override
    public void close() {
        client.close();
    }
}
