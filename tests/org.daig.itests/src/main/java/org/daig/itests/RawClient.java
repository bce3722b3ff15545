package org.daig.itests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A plain MQTT client for the tests that play an attacker, a hand-made provider or a fake
 * coordinator: it connects with whatever credentials it is given and records what it receives.
 */
final class RawClient implements AutoCloseable {

    /** A connect attempt, for assertThrows. */
    interface ThrowingConnect {
        RawClient run() throws MqttException;
    }

    /** A received message; its id acknowledges it when the client acknowledges by hand ({@link #acknowledge}). */
    record Received(String topic, String payload, boolean retained, int id) {
    }

    final MqttClient client;
    private final List<Received> received = new ArrayList<>();
    private volatile Consumer<Received> onMessage = m -> { };

    private RawClient(MqttClient client) {
        this.client = client;
    }

    /** Connects as {@code clientId} with user {@code user} and {@code token} (both may be null: anonymous). */
    static RawClient connect(String url, String clientId, String user, String token) throws MqttException {
        return connect(url, clientId, user, token, options -> { });
    }

    static RawClient connect(String url, String clientId, String user, String token, Consumer<MqttConnectOptions> more)
            throws MqttException {
        MqttClient client = new MqttClient(url, clientId, new MemoryPersistence());
        RawClient raw = new RawClient(client);
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                Received m = new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.isRetained(),
                        message.getId());
                synchronized (raw.received) {
                    raw.received.add(m);
                }
                raw.onMessage.accept(m);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // QoS 1 acknowledgements need nothing
            }

            @Override
            public void connectionLost(Throwable cause) {
                // the tests look at what they received
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // no second try with 3.1 after a refusal
        if (user != null) {
            options.setUserName(user);
        }
        if (token != null) {
            options.setPassword(token.toCharArray());
        }
        more.accept(options);
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return raw;
    }

    /** Called for every message from now on (on Paho's thread: return quickly). */
    void onMessage(Consumer<Received> handler) {
        onMessage = handler;
    }

    /** Publishes and waits for the broker's acknowledgement (QoS 1). */
    void send(String topic, String payload, boolean retained) throws MqttException {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, retained);
    }

    /**
     * Publishes without waiting: the embedded broker does not acknowledge a publish it refuses (the
     * client's QoS 1 delivery stays open), so an attacker's publish is fire and forget.
     */
    void sendUnacknowledged(String topic, String payload, boolean retained) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        message.setRetained(retained);
        client.getTopic(topic).publish(message);
    }

    /**
     * Subscribes; false when the broker refused the subscription. At QoS 0: what is checked is who
     * may read what, and Moquette 0.17 now and then fails on the acknowledgement of a retained
     * message delivered at QoS 1 (IllegalReferenceCountException in its session loop, which drops
     * the connection), which would make these tests flaky for a reason that is not theirs.
     */
    boolean subscribe(String filter) {
        try {
            int[] granted = client.subscribeWithResponse(new String[] { filter }, new int[] { 0 }).getGrantedQos();
            return granted.length == 1 && granted[0] != 0x80;
        } catch (MqttException refused) {
            return false;
        }
    }

    /** Subscribes at QoS 1, acknowledging each message only when told to ({@link #acknowledge}); false when refused. */
    boolean subscribeAcknowledgingByHand(String filter) throws MqttException {
        client.setManualAcks(true);
        int[] granted = client.subscribeWithResponse(new String[] { filter }, new int[] { 1 }).getGrantedQos();
        return granted.length == 1 && granted[0] == 1;
    }

    /** Acknowledges a QoS 1 message received by {@link #subscribeAcknowledgingByHand}. */
    void acknowledge(Received message) throws MqttException {
        client.messageArrivedComplete(message.id(), 1);
    }

    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    Optional<Received> first(String topic) {
        return received().stream().filter(m -> m.topic().equals(topic)).findFirst();
    }

    /** Drops the TCP connection without a DISCONNECT, as a crash or a cut cable does: the broker then sends the last will. */
    void cut() throws MqttException {
        client.disconnectForcibly(0, 0, false);
        client.close(true);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 2000); // a clean DISCONNECT, without waiting for refused publishes
            }
            client.close(true);
        } catch (MqttException e) {
            // gone already
        }
    }
}
