package org.daig.wire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The framed protocol between a launcher and its worker JVM, over the worker's stdin/stdout:
 * {@code [u32 header length][u64 payload length][header: UTF-8 JSON object][payload]}, little
 * endian. Payloads are parameter or delta vectors as raw little-endian float32: no Java
 * serialization anywhere. docs/worker-protocol.md lists the operations.
 */
public final class Frames {

    /** Largest JSON header accepted: headers are small, a bigger one means a broken stream. */
    static final int MAX_HEADER = 1 << 20;

    /** One message: a JSON header and an optional float32 payload. */
    public record Frame(JsonObject header, float[] payload) {
        public Frame(JsonObject header) {
            this(header, new float[0]);
        }
    }

    private Frames() {
    }

    public static void write(OutputStream out, Frame frame) throws IOException {
        byte[] header = frame.header().toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putInt(header.length).putLong(frame.payload().length * 4L);
        out.write(prefix.array());
        out.write(header);
        out.write(encode(frame.payload()));
        out.flush();
    }

    /** Reads one frame; EOFException when the other side closed the stream between frames. */
    public static Frame read(DataInputStream in) throws IOException {
        byte[] prefix = new byte[12];
        int first = in.read();
        if (first < 0) {
            throw new EOFException("stream closed");
        }
        prefix[0] = (byte) first;
        in.readFully(prefix, 1, 11);
        ByteBuffer p = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = p.getInt();
        long payloadLength = p.getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER || payloadLength < 0 || payloadLength % 4 != 0
                || payloadLength > Integer.MAX_VALUE - 8) {
            throw new IOException("corrupt frame (header " + headerLength + " bytes, payload " + payloadLength + " bytes)");
        }
        byte[] header = new byte[headerLength];
        in.readFully(header);
        byte[] payload = new byte[(int) payloadLength];
        in.readFully(payload);
        JsonObject json = JsonParser.parseString(new String(header, StandardCharsets.UTF_8)).getAsJsonObject();
        return new Frame(json, decode(payload));
    }

    /** float32 values to little-endian bytes (FloatBuffer bulk copy: GB/s, unlike Nd4j.toByteArray). */
    public static byte[] encode(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    public static float[] decode(byte[] bytes) {
        float[] values = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }
}
