package org.daig.product.tests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A bare MQTT client for the broker-cluster tests: what a provider's bus does at connect (presence
 * with its last will), one task request at a time, and a death without DISCONNECT (its TCP
 * connection is closed under it, as when a process is killed).
 */
final class RabbitClient implements AutoCloseable {

    /** A received message: topic and payload. */
    private record Received(String topic, String payload) {
    }

    private final MqttClient client;
    private final String id;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private RabbitClient(String url, String id) throws MqttException {
        this.id = id;
        this.client = new MqttClient(url, id, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                // a refused publish or subscription ends the connection; the calls see it
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8)));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    /** Connects as {@code id} with {@code password} (null: no user name or password), with a last will when given. */
    static RabbitClient connect(String url, String id, String password, String[] will) throws MqttException {
        RabbitClient c = new RabbitClient(url, id);
        MqttConnectOptions options = new MqttConnectOptions();
        if (password != null) {
            options.setUserName(id);
            options.setPassword(password.toCharArray());
        }
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(10);
        options.setSocketFactory(c.new Recording());
        if (will != null) {
            options.setWill(will[0], will[1].getBytes(StandardCharsets.UTF_8), 1, true);
        }
        try {
            c.client.connect(options);
        } catch (MqttException e) {
            c.client.close(true);
            throw e;
        }
        return c;
    }

    /** A provider as its bus connects: last will "offline, connection lost", then presence online (both retained). */
    static RabbitClient provider(String url, String id, String token) throws MqttException {
        long since = System.currentTimeMillis();
        String presence = "daig/v1/providers/" + id + "/presence";
        String offline = "{\"clientId\":\"" + id + "\",\"role\":\"provider\",\"online\":false,\"since\":" + since
                + ",\"reason\":\"connection lost\"}";
        RabbitClient c = connect(url, id, token, new String[] { presence, offline });
        c.client.publish(presence, ("{\"clientId\":\"" + id + "\",\"role\":\"provider\",\"online\":true,\"since\":" + since + "}")
                .getBytes(StandardCharsets.UTF_8), 1, true);
        c.subscribe("daig/v1/coordinators/+/to/" + id + "/tasks");
        return c;
    }

    void subscribe(String filter) throws MqttException {
        if (!trySubscribe(filter)) {
            throw new AssertionError(id + " may not subscribe to " + filter);
        }
    }

    /** Whether the broker granted the subscription (and kept the connection). */
    boolean trySubscribe(String filter) {
        try {
            int granted = client.subscribeWithResponse(filter, 1).getGrantedQos()[0];
            return granted != 0x80 && client.isConnected();
        } catch (MqttException e) {
            return false;
        }
    }

    void publish(String topic, String payload) throws MqttException {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    /** Publishes at QoS 1 where the broker is expected to refuse it (it closes the connection); returns either way. */
    void publishAndLose(String topic, String payload) {
        try {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
        } catch (MqttException e) {
            // refused: the connection is gone
        }
    }

    boolean connected() {
        return client.isConnected();
    }

    /** Asks for a task until the coordinator leases one; returns its lease id. */
    String takeTask(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String requestId = UUID.randomUUID().toString();
            publish("daig/v1/providers/" + id + "/tasks/request", "{\"requestId\":\"" + requestId + "\",\"maxParams\":0}");
            long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < wait) {
                Received r = received.poll(100, TimeUnit.MILLISECONDS);
                if (r == null || !r.topic().endsWith("/to/" + id + "/tasks")) {
                    continue;
                }
                JsonObject reply = JsonParser.parseString(r.payload()).getAsJsonObject();
                if (!requestId.equals(reply.get("requestId").getAsString())) {
                    continue;
                }
                if ("TASK".equals(reply.get("kind").getAsString())) {
                    return reply.getAsJsonObject("task").get("leaseId").getAsString();
                }
                Thread.sleep(Math.min(500, reply.has("retryAfterMs") ? reply.get("retryAfterMs").getAsLong() : 500)); // as asked
                break;
            }
        }
        throw new AssertionError(id + " got no task within " + timeout);
    }

    /** The payload of the next message on {@code topic} within {@code timeout}; fails when none comes. */
    String await(String topic, Duration timeout) throws InterruptedException {
        String payload = poll(topic, timeout);
        if (payload == null) {
            throw new AssertionError(id + " received nothing on " + topic + " within " + timeout);
        }
        return payload;
    }

    /** The payload of the next message on {@code topic} within {@code window}, or null. */
    String poll(String topic, Duration window) throws InterruptedException {
        long deadline = System.nanoTime() + window.toNanos();
        for (long left = window.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            Received r = received.poll(left, TimeUnit.NANOSECONDS);
            if (r != null && r.topic().equals(topic)) {
                return r.payload();
            }
        }
        return null;
    }

    /** Ends the TCP connection with no DISCONNECT packet, as a killed process does: the broker publishes the last will. */
    void die() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2000);
            }
        } catch (MqttException e) {
            // going away anyway
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // closed
        }
    }

    /** Remembers the sockets it makes, so {@link #die} can close them. */
    private final class Recording extends SocketFactory {
        private Socket keep(Socket s) {
            sockets.add(s);
            return s;
        }

        @Override
        public Socket createSocket() {
            return keep(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return keep(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return keep(new Socket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return keep(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) throws IOException {
            return keep(new Socket(address, port, local, localPort));
        }
    }
}
