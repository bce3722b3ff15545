package org.daig.experts.net;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The expert calls on a TCP connection (issue 18): requests and responses follow each other, each a
 * small big-endian header and then {@link org.daig.experts.TensorFrame}s; never serialized objects.
 * Calls are matched by their id, so a connection carries many calls at once and answers may come in any
 * order.
 *
 * <pre>
 * request:  magic "DEXQ" (4), version 1, op (1 forward, 2 backward, 3 parameters), call id (8), token (2-byte length,
 *           ≤ 256 bytes), uid (2-byte length, ≤ 128 bytes), then the inputs' frame (backward: and the output gradients'
 *           frame; parameters: no frame)
 * response: magic "DEXR" (4), version 1, status (0 ok, 1 error), call id (8), then
 *           ok: the result's frame (forward: outputs, backward: input gradients, parameters: one vector);
 *           error: message (2-byte length, ≤ 1024 bytes)
 * </pre>
 *
 * The server checks the token before it reads a tensor, and every tensor's shape against its cap before
 * it allocates the values; a wrong token or a frame over the cap is answered with an error and the
 * connection is closed.
 */
public final class ExpertWire {

    public static final int REQUEST_MAGIC = 0x44455851; // "DEXQ"
    public static final int RESPONSE_MAGIC = 0x44455852; // "DEXR"
    public static final byte VERSION = 1;
    public static final byte FORWARD = 1;
    public static final byte BACKWARD = 2;
    /** Asks for the expert's parameters as one vector (a whole-model download); carries no tensor. */
    public static final byte PARAMETERS = 3;
    public static final byte OK = 0;
    public static final byte ERROR = 1;
    public static final int MAX_TOKEN = 256;
    public static final int MAX_UID = 128;
    public static final int MAX_MESSAGE = 1024;

    /** "DEXH": the first message on a connection to an {@link ExpertRelay}, from a host or a caller. */
    public static final int RELAY_HELLO_MAGIC = 0x44455848;
    public static final byte RELAY_HOST = 1;
    public static final byte RELAY_CALLER = 2;

    /** A relay hello: who connects ({@link #RELAY_HOST} or {@link #RELAY_CALLER}), the relay's token, the host's name. */
    public record RelayHello(byte role, byte[] token, String host) {
    }

    /** A request's header: what comes before its tensors. */
    public record RequestHeader(byte op, long callId, byte[] token, String uid) {
    }

    /** A response's header; {@code message} is set for errors only. */
    public record ResponseHeader(byte status, long callId, String message) {
    }

    private ExpertWire() {
    }

    public static void writeRequestHeader(DataOutputStream out, byte op, long callId, byte[] token, String uid) throws IOException {
        out.writeInt(REQUEST_MAGIC);
        out.writeByte(VERSION);
        out.writeByte(op);
        out.writeLong(callId);
        bytes(out, token, MAX_TOKEN, "token");
        bytes(out, uid.getBytes(StandardCharsets.UTF_8), MAX_UID, "uid");
    }

    /** Reads a request's header; throws IOException saying what is wrong (the caller then closes the connection). */
    public static RequestHeader readRequestHeader(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != REQUEST_MAGIC) {
            throw new IOException("not an expert call: magic 0x" + Integer.toHexString(magic));
        }
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("expert call version " + version + " is not supported (this server knows " + VERSION + ")");
        }
        byte op = in.readByte();
        if (op != FORWARD && op != BACKWARD && op != PARAMETERS) {
            throw new IOException("expert call op " + op + " is unknown (1 forward, 2 backward, 3 parameters)");
        }
        long callId = in.readLong();
        byte[] token = bytes(in, MAX_TOKEN, "token");
        String uid = new String(bytes(in, MAX_UID, "uid"), StandardCharsets.UTF_8);
        return new RequestHeader(op, callId, token, uid);
    }

    /** magic "DEXH", version, role, token (2-byte length, ≤ 256 bytes), host name (2-byte length, ≤ 128 bytes). */
    public static void writeRelayHello(DataOutputStream out, byte role, byte[] token, String host) throws IOException {
        out.writeInt(RELAY_HELLO_MAGIC);
        out.writeByte(VERSION);
        out.writeByte(role);
        bytes(out, token, MAX_TOKEN, "relay token");
        bytes(out, host.getBytes(StandardCharsets.UTF_8), MAX_UID, "host name");
    }

    /**
     * Says hello to a relay on a connected socket and reads its answer (unbuffered, so nothing after it
     * is taken from the stream); throws with the relay's reason when it refuses.
     */
    public static void hello(java.net.Socket s, byte role, byte[] token, String host) throws IOException {
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()));
        writeRelayHello(out, role, token, host);
        out.flush();
        ResponseHeader answer = readResponseHeader(new DataInputStream(s.getInputStream()));
        if (answer.status() != OK) {
            throw new IOException("relay " + s.getRemoteSocketAddress() + ": " + answer.message());
        }
    }

    public static RelayHello readRelayHello(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != RELAY_HELLO_MAGIC) {
            throw new IOException("not an expert relay hello: magic 0x" + Integer.toHexString(magic));
        }
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("expert relay version " + version + " is not supported (this relay knows " + VERSION + ")");
        }
        byte role = in.readByte();
        if (role != RELAY_HOST && role != RELAY_CALLER) {
            throw new IOException("expert relay role " + role + " is unknown (1 host, 2 caller)");
        }
        byte[] token = bytes(in, MAX_TOKEN, "relay token");
        String host = new String(bytes(in, MAX_UID, "host name"), StandardCharsets.UTF_8);
        return new RelayHello(role, token, host);
    }

    public static void writeResponseHeader(DataOutputStream out, byte status, long callId, String message) throws IOException {
        out.writeInt(RESPONSE_MAGIC);
        out.writeByte(VERSION);
        out.writeByte(status);
        out.writeLong(callId);
        if (status == ERROR) {
            byte[] m = message.getBytes(StandardCharsets.UTF_8);
            bytes(out, m.length > MAX_MESSAGE ? java.util.Arrays.copyOf(m, MAX_MESSAGE) : m, MAX_MESSAGE, "message");
        }
    }

    public static ResponseHeader readResponseHeader(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != RESPONSE_MAGIC) {
            throw new IOException("not an expert response: magic 0x" + Integer.toHexString(magic));
        }
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("expert response version " + version + " is not supported");
        }
        byte status = in.readByte();
        long callId = in.readLong();
        if (status == OK) {
            return new ResponseHeader(status, callId, null);
        }
        if (status != ERROR) {
            throw new IOException("expert response status " + status + " is unknown");
        }
        return new ResponseHeader(status, callId, new String(bytes(in, MAX_MESSAGE, "message"), StandardCharsets.UTF_8));
    }

    private static void bytes(DataOutputStream out, byte[] b, int max, String what) throws IOException {
        if (b.length > max) {
            throw new IOException("expert call " + what + " has " + b.length + " bytes (at most " + max + ")");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in, int max, String what) throws IOException {
        int n = in.readUnsignedShort();
        if (n > max) {
            throw new IOException("expert call " + what + " of " + n + " bytes is over the cap of " + max);
        }
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new java.io.EOFException("truncated expert call: the " + what + " ends after " + b.length + " of " + n + " bytes");
        }
        return b;
    }
}
