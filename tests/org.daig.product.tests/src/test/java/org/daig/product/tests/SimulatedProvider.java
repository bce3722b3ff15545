package org.daig.product.tests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import com.google.gson.Gson;
import com.google.gson.JsonObject;

/**
 * A provider that speaks the task exchange exactly as docs/protocol.md describes it (MQTT for
 * requests and results, HTTP for blobs). By default it computes no gradient: its "delta" is a
 * deterministic function of the parameters it was given and the task's seed, after a fixed delay.
 * So a run's final parameters depend only on the rounds' inputs, which lets tests compare runs
 * exactly, and the load generator can run hundreds of them. Given an {@link Update}, it sends
 * what that makes instead (a real training, or an attack on one).
 */
final class SimulatedProvider implements AutoCloseable {

    /** Makes the update for a task from the task's parameters; the device token reads the task's blobs. */
    interface Update {
        float[] make(JsonObject task, float[] params, String deviceToken) throws Exception;

        /** The thread count the last update was trained with, or null: sent with the result, as a provider does. */
        default Integer threads() {
            return null;
        }

        /** The worker runtime the last update was trained on, or null (see TaskResult.runtime). */
        default String runtime() {
            return null;
        }
    }

    private static final Gson GSON = new Gson();
    /**
     * Replies come at QoS 0 (an unanswered exchange is simply asked again): Moquette 0.17 can release
     * a QoS 1 message twice when a PUBACK meets a closing session (IllegalReferenceCountException in
     * Session.pubAckReceived), after which its session executor drops new connections. Seen in the
     * byzantine benchmark, which closes hundreds of simulated volunteers.
     */
    private static final int REPLY_QOS = 0;
    private static final HttpClient HTTP = TestHttp.CLIENT;

    final String id;
    /** Its device token: the MQTT password (user = its client id) and the bearer of its blob requests. */
    private final String token;
    private final MqttClient client;
    private final long workMillis;
    private final Update update;
    private final LinkedBlockingQueue<JsonObject> replies = new LinkedBlockingQueue<>();
    /** The connect time its presence carries (docs/protocol.md, "Presence"). */
    private final long since = System.currentTimeMillis();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread thread;

    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger stale = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    /** Milliseconds from a request to its TASK reply. */
    final List<Long> assignMillis = new CopyOnWriteArrayList<>();
    /** Results the coordinator confirmed (ACCEPTED), as "project/round/shard". */
    final Map<String, String> confirmed = new ConcurrentHashMap<>();
    /** The last thing that went wrong in its loop (a coordinator restarting, a training that failed), for reports. */
    volatile Exception lastError;
    /** Set when the coordinator says this device gets no more tasks. */
    final AtomicBoolean banned = new AtomicBoolean();

    /** Connects as {@code id} with the device token it was enrolled with ({@link GridAccounts#enrol}). */
    SimulatedProvider(String brokerUrl, String id, long workMillis, String deviceToken) throws MqttException {
        this(brokerUrl, id, workMillis, deviceToken, null);
    }

    /** As above, sending what {@code update} makes (null: the simulated training). */
    SimulatedProvider(String brokerUrl, String id, long workMillis, String deviceToken, Update update) throws MqttException {
        this.id = id;
        this.token = deviceToken;
        this.workMillis = workMillis;
        this.update = update;
        client = new MqttClient(brokerUrl, id, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(id); // the broker admits a client id only with a token bound to it
        options.setPassword(deviceToken.toCharArray());
        options.setAutomaticReconnect(true);
        options.setCleanSession(true);
        options.setConnectionTimeout(5);
        options.setMaxReconnectDelay(1000);
        options.setKeepAliveInterval(10);
        options.setMaxInflight(100);
        // presence as the DAIG bus keeps it: the coordinator leases tasks only to providers it sees online
        options.setWill(presenceTopic(), presence(false).getBytes(StandardCharsets.UTF_8), 1, true);
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                try {
                    announce();
                    client.subscribe("daig/v1/coordinators/+/to/" + id + "/tasks", REPLY_QOS);
                } catch (MqttException e) {
                    // the next reconnect subscribes again
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                replies.add(GSON.fromJson(new String(message.getPayload(), StandardCharsets.UTF_8), JsonObject.class));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken delivery) {
            }
        });
        // a broker taking a burst of connections may drop some, even right after the connect: retry, as a provider does
        for (int attempt = 1;; attempt++) {
            try {
                if (!client.isConnected()) {
                    client.connect(options);
                }
                announce();
                client.subscribe("daig/v1/coordinators/+/to/" + id + "/tasks", REPLY_QOS);
                break;
            } catch (MqttException e) {
                if (attempt == 10) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private String presenceTopic() {
        return "daig/v1/providers/" + id + "/presence";
    }

    private String presence(boolean online) {
        return "{\"clientId\":\"" + id + "\",\"role\":\"provider\",\"online\":" + online + ",\"since\":" + since + "}";
    }

    private void announce() throws MqttException {
        client.publish(presenceTopic(), presence(true).getBytes(StandardCharsets.UTF_8), 1, true);
    }

    void start() {
        thread = new Thread(this::loop, "sim-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running.get()) {
            try {
                String requestId = UUID.randomUUID().toString();
                long asked = System.nanoTime();
                JsonObject reply = exchange("request", Map.of("requestId", requestId, "maxParams", 0), requestId);
                if (reply == null) {
                    continue; // coordinator away: ask again
                }
                if (!"TASK".equals(reply.get("kind").getAsString())) {
                    if (reply.has("message") && reply.get("message").getAsString().contains("gets no more tasks")) {
                        banned.set(true);
                    }
                    Thread.sleep(Math.min(500, reply.get("retryAfterMs").getAsLong()));
                    continue;
                }
                assignMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));
                work(reply.getAsJsonObject("task"));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (running.get()) {
                    lastError = e;
                    try {
                        Thread.sleep(200); // coordinator restarting; try again
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }
    }

    private void work(JsonObject task) throws Exception {
        String base = task.get("blobBaseUrl").getAsString();
        float[] params = readVector(get(base + task.get("params").getAsString(), token));
        Thread.sleep(workMillis);
        float[] delta = update != null ? update.make(task, params, token) : delta(params, task.get("seed").getAsLong());
        byte[] body = vector(delta);
        String deltaId = sha256(body);
        HttpResponse<String> put = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + deltaId)).header("Authorization", "Bearer " + token)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() / 100 != 2) {
            throw new IOException("upload answered " + put.statusCode() + ": " + put.body());
        }
        Map<String, Object> result = result(task, deltaId, workMillis);
        if (update != null && update.threads() != null) {
            result.put("threads", update.threads());
            result.put("runtime", update.runtime());
        }
        for (int attempt = 0; attempt < 100 && running.get(); attempt++) {
            String requestId = UUID.randomUUID().toString();
            result.put("requestId", requestId);
            JsonObject reply = exchange("result", result, requestId);
            if (reply == null) {
                continue; // not answered (coordinator restarting): commit again; a duplicate is harmless
            }
            switch (reply.get("kind").getAsString()) {
            case "ACCEPTED" -> {
                accepted.incrementAndGet();
                confirmed.put(result.get("projectId") + "/" + result.get("round") + "/" + result.get("shard"), deltaId);
            }
            case "DUPLICATE" -> duplicates.incrementAndGet();
            case "STALE" -> stale.incrementAndGet();
            default -> refused.incrementAndGet();
            }
            return;
        }
    }

    /** Publishes a message and waits up to 3 s for the reply carrying its request id. */
    private JsonObject exchange(String kind, Map<String, Object> message, String requestId) throws Exception {
        replies.clear();
        MqttMessage m = new MqttMessage(GSON.toJson(message).getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        try {
            client.publish("daig/v1/providers/" + id + "/tasks/" + kind, m);
        } catch (MqttException notConnected) {
            Thread.sleep(200);
            return null;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < deadline) {
            JsonObject reply = replies.poll(100, TimeUnit.MILLISECONDS);
            if (reply != null && requestId.equals(reply.get("requestId").getAsString())) {
                return reply;
            }
        }
        return null;
    }

    /** The result message for {@code task} with its uploaded delta (no request id yet), as docs/protocol.md describes it. */
    static Map<String, Object> result(JsonObject task, String deltaId, long workMillis) {
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        result.put("leaseId", task.get("leaseId").getAsString());
        result.put("projectId", task.get("projectId").getAsString());
        result.put("round", task.get("round").getAsInt());
        result.put("shard", task.get("shard").getAsInt());
        result.put("version", task.get("version").getAsInt());
        result.put("delta", deltaId);
        result.put("samples", task.get("rows").getAsLong());
        result.put("loss", 1.0);
        result.put("accuracy", 0.5);
        result.put("seconds", workMillis / 1000.0);
        return result;
    }

    /** The simulated training: a small step towards zero plus seeded noise, both deterministic. */
    static float[] delta(float[] params, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] delta = new float[params.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = -0.01f * params[i] + (float) (random.nextGaussian() * 1e-3);
        }
        return delta;
    }

    /** GET with {@code token} as the bearer; an IOException unless it answers 200. */
    static byte[] get(String url, String token) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode());
        }
        return response.body();
    }

    static String getString(String url, String token) throws IOException, InterruptedException {
        return new String(get(url, token), StandardCharsets.UTF_8);
    }

    /** A 1-d little-endian float32 .npy, as the coordinator stores parameters and deltas. */
    static float[] readVector(byte[] npy) {
        int headerLength = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
        ByteBuffer data = ByteBuffer.wrap(npy, 10 + headerLength, npy.length - 10 - headerLength).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[data.remaining() / 4];
        data.asFloatBuffer().get(values);
        return values;
    }

    static byte[] vector(float[] values) {
        return Npy.of("<f4", "(" + values.length + ",)", Npy.floats(values));
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        if (thread != null) {
            thread.interrupt();
            thread.join(5000);
        }
        try {
            client.disconnectForcibly(0, 200);
        } catch (MqttException ignored) {
            // going away anyway
        }
        client.close(true);
    }

}
