package org.daig.accounts.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Just enough MQTT 3.1.1 on a socket for a broker test without a client library: CONNECT with
 * user and password, SUBSCRIBE, PUBLISH at QoS 1, and reading what comes back.
 */
final class MqttWire implements AutoCloseable {

    /** A packet as read: its type (the high nibble of the first byte) and its body. */
    record Packet(int type, byte[] body) {
        String topic() {
            int length = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
            return new String(body, 2, length, StandardCharsets.UTF_8);
        }
    }

    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int SUBACK = 9;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final java.util.ArrayDeque<Packet> messages = new java.util.ArrayDeque<>();
    private int nextId = 1;

    MqttWire(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Connects; returns the CONNACK return code (0 accepted, 4 bad user name or password, 5 not authorised). */
    int connect(String clientId, String user, String password) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(4); // protocol level 3.1.1
        body.write(0xC2); // user name, password, clean session
        body.write(0);
        body.write(30); // keep-alive
        string(body, clientId);
        string(body, user);
        string(body, password);
        send(0x10, body.toByteArray());
        Packet ack = read();
        if (ack.type() != CONNACK) {
            throw new IOException("expected CONNACK, got packet type " + ack.type());
        }
        return ack.body()[1] & 0xff;
    }

    /** Subscribes at QoS 1; returns the SUBACK code (1 granted, 0x80 refused). */
    int subscribe(String filter) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int id = nextId++;
        body.write(id >> 8);
        body.write(id);
        string(body, filter);
        body.write(1);
        send(0x82, body.toByteArray());
        Packet ack = read();
        if (ack.type() != SUBACK) {
            throw new IOException("expected SUBACK, got packet type " + ack.type());
        }
        return ack.body()[2] & 0xff;
    }

    /** Publishes at QoS 1 and waits for the PUBACK (Mosquitto acknowledges a refused publish too, as 3.1.1 has no way to say no). */
    void publish(String topic, String payload) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, topic);
        int id = nextId++;
        body.write(id >> 8);
        body.write(id);
        body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        send(0x32, body.toByteArray());
        for (Packet p = read(); p.type() != PUBACK; p = read()) {
            if (p.type() != PUBLISH) {
                throw new IOException("expected PUBACK, got packet type " + p.type());
            }
            messages.add(p); // a message to this client arrived first: kept for nextMessage
        }
    }

    /** The next PUBLISH sent to this client (acknowledged when QoS 1). */
    Packet nextMessage() throws IOException {
        if (!messages.isEmpty()) {
            return messages.poll();
        }
        while (true) {
            Packet p = read();
            if (p.type() == PUBLISH) {
                return p;
            }
        }
    }

    Packet read() throws IOException {
        int header = in.readUnsignedByte();
        int length = 0;
        for (int shift = 0;; shift += 7) {
            int b = in.readUnsignedByte();
            length |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        Packet p = new Packet(header >> 4, body);
        if (p.type() == PUBLISH && (header & 0x06) == 0x02) {
            int topicLength = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
            send(0x40, new byte[] { body[2 + topicLength], body[3 + topicLength] });
        }
        return p;
    }

    private void send(int header, byte[] body) throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(header);
        int length = body.length;
        do {
            int b = length & 0x7f;
            length >>>= 7;
            packet.write(length > 0 ? b | 0x80 : b);
        } while (length > 0);
        packet.writeBytes(body);
        out.write(packet.toByteArray());
        out.flush();
    }

    private static void string(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
