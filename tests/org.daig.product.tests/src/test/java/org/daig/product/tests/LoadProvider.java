package org.daig.product.tests;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

/**
 * One of the load generator's simulated providers. It speaks the task exchange as
 * {@link SimulatedProvider} does (MQTT for requests and results, HTTP for blobs, the same
 * deterministic "training"), but holds no thread: its MQTT connection shares one event loop with
 * all the others (HiveMQ's client) and its steps are timers on a shared scheduler, so ten thousand
 * of them fit in one process on two cores. Like a real provider it retries a refused connect with
 * jittered exponential back-off and asks again when an answer does not come.
 *
 * <p>It asks as the DAIG provider does, with a long poll (the coordinator may hold a request
 * {@link #REQUEST_WAIT_MS} until a task appears). Assignment latency is timed from the later of
 * the request and the moment its task could exist: under K-batch sync, a round's tasks exist once
 * the previous round's last result is in, which {@link Rounds} notes from the ACCEPTED answers all
 * providers get. So a request held through a round's end counts from that end, not from its ask.
 */
final class LoadProvider {

    private static final Gson GSON = new Gson();
    /** How long it waits for an answer before asking again. */
    private static final long ANSWER_WAIT_MS = 5000;
    /** How long the coordinator may hold a task request (as the DAIG provider asks). */
    private static final long REQUEST_WAIT_MS = 10_000;
    private static final long FIRST_BACKOFF_MS = 250;
    private static final long MOST_BACKOFF_MS = 15_000;
    /** As the DAIG provider's blob client: a download or upload not answered within this is given up and tried again. */
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(60);

    final String id;
    private final String token;
    private final long workMillis;
    private final ScheduledExecutorService timers;
    private final HttpGate http;
    private final Rounds rounds;
    private final Mqtt3AsyncClient client;
    private final long since = System.currentTimeMillis();
    private volatile boolean running = true;
    private volatile boolean connected;
    /** The request id an answer is awaited for, its kind, and what to do if none comes. */
    private volatile String awaited;
    private volatile ScheduledFuture<?> timeout;
    private long askedAt;
    /** The result being committed ("project/round/shard") and its delta blob. */
    private volatile String pendingResult;
    private volatile String pendingDelta;
    private volatile int pendingRound;
    /** When the result awaiting its answer was (last) sent (nanoTime). */
    private volatile long resultSentAt;

    final AtomicInteger connectAttempts = new AtomicInteger();
    final AtomicInteger unanswered = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    /** Downloads and uploads that failed or were not answered in time, each followed by asking for a task again. */
    final AtomicInteger httpRetries = new AtomicInteger();
    final AtomicLong lastAcceptedAt = new AtomicLong();
    /** Milliseconds from a request to its TASK reply. */
    final List<Long> assignMillis = new CopyOnWriteArrayList<>();
    /** The round of each of {@link #assignMillis}' tasks. */
    final List<Integer> assignRounds = new CopyOnWriteArrayList<>();
    /** Results the coordinator confirmed (ACCEPTED), as "project/round/shard" → delta blob. */
    final Map<String, String> confirmed = new ConcurrentHashMap<>();
    volatile String lastProblem;

    /** When each round's last accepted result came back (nanoTime), as all of a run's providers saw them. */
    static final class Rounds {
        private final Map<Integer, Long> lastAccepted = new ConcurrentHashMap<>();
        /** Per step ("assigned", "downloaded", "worked", "uploaded", "accepted") and round: the first and the last time a provider got there. */
        private final Map<String, long[]> steps = new ConcurrentHashMap<>();
        /** Per round: how long each ACCEPTED answer took from its result's sending (ms): the exchange's backlog, round by round. */
        private final Map<Integer, java.util.Queue<Long>> answerMillis = new ConcurrentHashMap<>();

        void step(String step, int round, long nanos) {
            steps.compute(step + "/" + round, (k, span) -> span == null ? new long[] {nanos, nanos}
                    : new long[] {Math.min(span[0], nanos), Math.max(span[1], nanos)});
        }

        /**
         * Each round's steps, in seconds from the previous round's last accepted result (the first
         * round's from the first request, as all providers start asking together): where a round's time goes.
         */
        List<String> stepSpans() {
            List<String> lines = new java.util.ArrayList<>();
            long[] asked = steps.get("asked/0");
            for (int r = asked == null ? 1 : 0; lastAccepted.containsKey(r); r++) {
                long zero = r == 0 ? asked[0] : lastAccepted.get(r - 1);
                StringBuilder line = new StringBuilder("round " + r + ":");
                for (String step : List.of("asked", "assigned", "downloaded", "worked", "uploaded", "accepted")) {
                    long[] span = steps.get(step + "/" + r);
                    if (span != null) {
                        line.append(String.format(java.util.Locale.ROOT, " %s %.1f-%.1f", step, (span[0] - zero) / 1e9, (span[1] - zero) / 1e9));
                    }
                }
                java.util.Queue<Long> answers = answerMillis.get(r);
                if (answers != null && !answers.isEmpty()) {
                    List<Long> sorted = answers.stream().sorted().toList();
                    line.append(" (results answered in p50 ").append(LoadGenerator.percentile(sorted, 0.5)).append(" / p99 ")
                            .append(LoadGenerator.percentile(sorted, 0.99)).append(" ms)");
                }
                lines.add(line.toString());
            }
            return lines;
        }

        void accepted(int round, long nanos, long sentNanos) {
            lastAccepted.merge(round, nanos, Math::max);
            answerMillis.computeIfAbsent(round, r -> new java.util.concurrent.ConcurrentLinkedQueue<>())
                    .add(TimeUnit.NANOSECONDS.toMillis(nanos - sentNanos));
        }

        /** Seconds between one round's end and the next one's, for every round that ended after another did. */
        List<Double> roundSeconds() {
            List<Double> gaps = new java.util.ArrayList<>();
            for (int r = 1; lastAccepted.containsKey(r); r++) {
                Long before = lastAccepted.get(r - 1);
                if (before != null) {
                    gaps.add((lastAccepted.get(r) - before) / 1e9);
                }
            }
            return gaps;
        }

        /** Nanoseconds from the latest round's end (its last accepted result) to {@code now}; -1 before a round ended. */
        long sinceLastRoundEnd(long now) {
            java.util.OptionalLong latest = lastAccepted.values().stream().mapToLong(Long::longValue).max();
            return latest.isPresent() ? now - latest.getAsLong() : -1;
        }

        /** When a task of {@code round} could first exist, as far as the providers can tell; {@code orElse} for the first round. */
        long openedAfter(int round, long orElse) {
            return round == 0 ? orElse : lastAccepted.getOrDefault(round - 1, orElse);
        }
    }

    LoadProvider(String host, int port, String id, String deviceToken, long workMillis, ScheduledExecutorService timers, HttpGate http,
            Rounds rounds) {
        this.id = id;
        this.rounds = rounds;
        this.token = deviceToken;
        this.workMillis = workMillis;
        this.timers = timers;
        this.http = http;
        this.client = MqttClient.builder().useMqttVersion3().identifier(id).serverHost(host).serverPort(port)
                .addConnectedListener(context -> onConnected())
                .addDisconnectedListener(context -> connected = false)
                .buildAsync();
    }

    /** Connects (again and again, backing off, until it is in) and then works until {@link #stop}. */
    CompletableFuture<Void> connect() {
        CompletableFuture<Void> in = new CompletableFuture<>();
        attempt(in, FIRST_BACKOFF_MS);
        return in;
    }

    private void attempt(CompletableFuture<Void> in, long backoff) {
        if (!running) {
            in.completeExceptionally(new IllegalStateException(id + " stopped before it could connect"));
            return;
        }
        connectAttempts.incrementAndGet();
        client.connectWith().cleanSession(true).keepAlive(60)
                .simpleAuth().username(id).password(token.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .willPublish().topic(presenceTopic()).payload(presence(false)).qos(MqttQos.AT_LEAST_ONCE).retain(true).applyWillPublish()
                .send()
                .thenCompose(ack -> client.subscribeWith().topicFilter("daig/v1/coordinators/+/to/" + id + "/tasks")
                        .qos(MqttQos.AT_MOST_ONCE).callback(this::onReply).send())
                .thenCompose(subscribed -> client.publishWith().topic(presenceTopic()).payload(presence(true)).qos(MqttQos.AT_LEAST_ONCE)
                        .retain(true).send())
                .whenComplete((published, failure) -> {
                    if (failure == null) {
                        in.complete(null);
                        return;
                    }
                    lastProblem = "connect: " + failure;
                    client.disconnect(); // whatever half of it stood
                    // refused connects are normal when thousands arrive at once: back off, with jitter so they spread out
                    long wait = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff);
                    timers.schedule(() -> attempt(in, Math.min(MOST_BACKOFF_MS, backoff * 2)), wait, TimeUnit.MILLISECONDS);
                });
    }

    private void onConnected() {
        connected = true;
    }

    /** The rounds as all of this run's providers saw them. */
    Rounds rounds() {
        return rounds;
    }

    boolean isConnected() {
        return connected;
    }

    private String presenceTopic() {
        return "daig/v1/providers/" + id + "/presence";
    }

    private byte[] presence(boolean online) {
        return ("{\"clientId\":\"" + id + "\",\"role\":\"provider\",\"online\":" + online + ",\"since\":" + since + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Starts asking for tasks. */
    void start() {
        timers.execute(this::ask);
    }

    private void ask() {
        if (!running) {
            return;
        }
        String requestId = UUID.randomUUID().toString();
        askedAt = System.nanoTime();
        if (assignMillis.isEmpty()) {
            rounds.step("asked", 0, askedAt); // its first request: how long the generator itself takes to send a round's requests
        }
        send("request", Map.of("requestId", requestId, "maxParams", 0, "waitMs", REQUEST_WAIT_MS), requestId, this::ask,
                REQUEST_WAIT_MS + ANSWER_WAIT_MS);
    }

    /** Publishes a message and waits for the answer carrying its request id; {@code again} runs if none comes. */
    private void send(String kind, Map<String, Object> message, String requestId, Runnable again, long waitMs) {
        awaited = requestId;
        ScheduledFuture<?> previous = timeout;
        if (previous != null) {
            previous.cancel(false);
        }
        timeout = timers.schedule(() -> {
            if (requestId.equals(awaited)) {
                unanswered.incrementAndGet();
                again.run();
            }
        }, waitMs, TimeUnit.MILLISECONDS);
        client.publishWith().topic("daig/v1/providers/" + id + "/tasks/" + kind).qos(MqttQos.AT_LEAST_ONCE)
                .payload(GSON.toJson(message).getBytes(StandardCharsets.UTF_8)).send();
    }

    private void onReply(Mqtt3Publish publish) {
        long receivedAt = System.nanoTime(); // timed here: the shared timers may be busy with other providers' steps
        JsonObject reply = GSON.fromJson(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8), JsonObject.class);
        String requestId = reply.get("requestId").getAsString();
        if (!requestId.equals(awaited)) {
            return; // an answer to a question asked before
        }
        awaited = null;
        timeout.cancel(false);
        timers.execute(() -> handle(reply, receivedAt));
    }

    private void handle(JsonObject reply, long receivedAt) {
        String kind = reply.get("kind").getAsString();
        switch (kind) {
        case "TASK" -> {
            JsonObject task = reply.getAsJsonObject("task");
            long from = Math.max(askedAt, rounds.openedAfter(task.get("round").getAsInt(), askedAt));
            assignRounds.add(task.get("round").getAsInt());
            rounds.step("assigned", task.get("round").getAsInt(), receivedAt);
            assignMillis.add(TimeUnit.NANOSECONDS.toMillis(receivedAt - Math.min(receivedAt, from)));
            work(task);
        }
        case "NO_TASK" -> timers.schedule(this::ask, Math.min(500, reply.get("retryAfterMs").getAsLong()), TimeUnit.MILLISECONDS);
        default -> {
            switch (kind) { // the answer to a result: the next task
            case "ACCEPTED" -> {
                confirmed.put(pendingResult, pendingDelta);
                rounds.accepted(pendingRound, receivedAt, resultSentAt);
                rounds.step("accepted", pendingRound, receivedAt);
                lastAcceptedAt.set(System.currentTimeMillis());
            }
            case "DUPLICATE" -> duplicates.incrementAndGet();
            default -> {
                refused.incrementAndGet();
                lastProblem = kind + ": " + (reply.has("message") ? reply.get("message").getAsString() : "");
            }
            }
            timers.execute(this::ask);
        }
        }
    }

    private void work(JsonObject task) {
        if (!running) {
            return;
        }
        String base = task.get("blobBaseUrl").getAsString();
        http.get(URI.create(base + task.get("params").getAsString()), token, HTTP_TIMEOUT).whenComplete((response, failure) -> {
            if (failure != null || response.status() != 200) {
                retryLater("reading parameters: " + (failure != null ? failure : response.status()));
                return;
            }
            float[] params = SimulatedProvider.readVector(response.body());
            rounds.step("downloaded", task.get("round").getAsInt(), System.nanoTime());
            timers.schedule(() -> upload(task, params), workMillis, TimeUnit.MILLISECONDS);
        });
    }

    private void upload(JsonObject task, float[] params) {
        if (!running) {
            return; // the run ended while it "trained"
        }
        rounds.step("worked", task.get("round").getAsInt(), System.nanoTime());
        byte[] body = SimulatedProvider.vector(SimulatedProvider.delta(params, task.get("seed").getAsLong()));
        String deltaId;
        try {
            deltaId = SimulatedProvider.sha256(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String base = task.get("blobBaseUrl").getAsString();
        http.put(URI.create(base + deltaId), token, body, HTTP_TIMEOUT).whenComplete((response, failure) -> {
            if (failure != null || response.status() / 100 != 2) {
                retryLater("uploading its delta: " + (failure != null ? failure : response.status()));
                return;
            }
            rounds.step("uploaded", task.get("round").getAsInt(), System.nanoTime());
            commit(task, deltaId);
        });
    }

    private void commit(JsonObject task, String deltaId) {
        Map<String, Object> result = SimulatedProvider.result(task, deltaId, workMillis);
        String key = result.get("projectId") + "/" + result.get("round") + "/" + result.get("shard");
        commitOnce(result, key, deltaId);
    }

    /** Commits the result; not answered in time: commits again (a resend is answered DUPLICATE, which is harmless). */
    private void commitOnce(Map<String, Object> result, String key, String deltaId) {
        if (!running) {
            return;
        }
        String requestId = UUID.randomUUID().toString();
        result.put("requestId", requestId);
        pendingResult = key;
        pendingDelta = deltaId;
        pendingRound = ((Number) result.get("round")).intValue();
        resultSentAt = System.nanoTime();
        send("result", result, requestId, () -> commitOnce(result, key, deltaId), ANSWER_WAIT_MS);
    }

    private void retryLater(String problem) {
        lastProblem = problem;
        httpRetries.incrementAndGet();
        timers.schedule(this::ask, 1000, TimeUnit.MILLISECONDS);
    }

    void stop() {
        running = false;
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
    }

    CompletableFuture<Void> disconnect() {
        stop();
        return client.disconnect().exceptionally(notConnected -> null);
    }
}
