package org.daig.product.tests;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A volunteer's machine for {@link MultiHostTest}, run in a network namespace of its own: its link
 * to the grid is the namespace's (a token bucket on both ends), and it reaches the coordinator and
 * the broker through a {@link DelayRelay} each, on its own loopback ({@value #HTTP_PORT}, {@value #MQTT_PORT}),
 * as a far-away volunteer would reach them. It can first time a download and an upload of one
 * blob over that path (the requestor's token, so nothing of the project is touched), then runs one
 * {@link SimulatedProvider} from "GO" to "STOP" on standard input, and prints what it measured.
 *
 * <p>Arguments: id, device token file, coordinator address (host:port), broker address (host:port),
 * delay each way in ms, work per task in ms, the coordinator's CA (PEM), and optionally the
 * requestor's token file, a blob id to download and the size of a blob to upload.
 */
final class MultiHostProvider {

    static final int HTTP_PORT = 7700;
    static final int MQTT_PORT = 1883;

    private MultiHostProvider() {
    }

    public static void main(String[] args) throws Exception {
        String id = args[0];
        String token = Files.readString(Path.of(args[1])).strip();
        InetSocketAddress coordinator = address(args[2]);
        InetSocketAddress broker = address(args[3]);
        long delay = Long.parseLong(args[4]);
        long work = Long.parseLong(args[5]);
        TestHttp.trust(Path.of(args[6]));
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (DelayRelay http = new DelayRelay(new InetSocketAddress("127.0.0.1", HTTP_PORT), coordinator, delay);
                DelayRelay mqtt = new DelayRelay(new InetSocketAddress("127.0.0.1", MQTT_PORT), broker, delay)) {
            if (args.length > 7) {
                probe(Files.readString(Path.of(args[7])).strip(), args[8], Integer.parseInt(args[9]));
            }
            say("READY");
            for (String line; (line = stdin.readLine()) != null && !line.equals("GO");) {
                // waiting for the project
            }
            // the simulated training, saying which task it computes (the test's log when something hangs)
            SimulatedProvider.Update update = (task, params, deviceToken) -> {
                say(java.time.LocalTime.now() + " TASK round " + task.get("round").getAsInt() + " shard " + task.get("shard").getAsInt());
                return SimulatedProvider.delta(params, task.get("seed").getAsLong());
            };
            SimulatedProvider provider = new SimulatedProvider("tcp://127.0.0.1:" + MQTT_PORT, id, work, token, update);
            provider.start();
            say("STARTED");
            Thread errors = new Thread(() -> {
                for (Exception last = null; !Thread.currentThread().isInterrupted();) {
                    if (provider.lastError != null && provider.lastError != last) {
                        last = provider.lastError;
                        say("ERROR " + last);
                    }
                    try {
                        Thread.sleep(500); // a reporter's pace, not a synchronisation
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "errors");
            errors.setDaemon(true);
            errors.start();
            for (String line; (line = stdin.readLine()) != null && !line.equals("STOP");) {
                // working
            }
            provider.close();
            List<Long> assign = new ArrayList<>(provider.assignMillis);
            assign.sort(null);
            List<Double> mqttTrips = mqtt.roundTripMillis();
            List<Double> httpTrips = http.roundTripMillis();
            say(String.format(java.util.Locale.ROOT, "STATS accepted=%d duplicates=%d assignMedianMs=%d httpConnections=%d httpUpBytes=%d "
                    + "httpDownBytes=%d httpFirstAnswerMinMs=%.1f mqttConnections=%d mqttUpBytes=%d mqttDownBytes=%d "
                    + "mqttFirstAnswerMinMs=%.1f mqttFirstAnswerMedianMs=%.1f",
                    provider.accepted.get(), provider.duplicates.get(), assign.isEmpty() ? -1 : assign.get(assign.size() / 2),
                    http.connections.get(), http.upBytes.get(), http.downBytes.get(), httpTrips.isEmpty() ? -1 : httpTrips.get(0),
                    mqtt.connections.get(), mqtt.upBytes.get(), mqtt.downBytes.get(), mqttTrips.isEmpty() ? -1 : mqttTrips.get(0),
                    mqttTrips.isEmpty() ? -1 : mqttTrips.get(mqttTrips.size() / 2)));
        }
        say("DONE");
    }

    /** Times two downloads of blob {@code id} (a new connection, then the open one) and an upload of {@code bytes} fresh bytes through the relay. */
    private static void probe(String requestorToken, String id, int bytes) throws Exception {
        String base = "https://127.0.0.1:" + HTTP_PORT + "/api/v1/blobs/";
        long start = System.nanoTime();
        byte[] got = SimulatedProvider.get(base + id, requestorToken); // a new connection: its handshakes included
        long cold = System.nanoTime() - start;
        start = System.nanoTime();
        SimulatedProvider.get(base + id, requestorToken); // on the open connection
        long down = System.nanoTime() - start;
        byte[] body = new byte[bytes];
        new SplittableRandom(bytes).nextBytes(body);
        String upId = SimulatedProvider.sha256(body);
        start = System.nanoTime();
        HttpResponse<String> put = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(base + upId))
                .header("Authorization", "Bearer " + requestorToken).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        long up = System.nanoTime() - start;
        if (put.statusCode() != 201) {
            throw new IllegalStateException("the probe's upload answered " + put.statusCode() + ": " + put.body());
        }
        say("PROBE down " + got.length + " " + cold / 1_000_000 + " " + down / 1_000_000 + " up " + bytes + " " + up / 1_000_000);
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
