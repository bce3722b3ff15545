package org.daig.experts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class TensorFrameTest {

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] data = new float[(int) Tensor.elements(shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        return new Tensor(shape, data);
    }

    @Test
    void roundTripsShapesAndValuesBitForBit() throws IOException {
        Tensor t = random(1, 32, 784);
        t.data()[0] = Float.NaN;
        t.data()[1] = Float.NEGATIVE_INFINITY;
        t.data()[2] = -0.0f;
        byte[] frame = TensorFrame.encode(t);
        assertEquals(8 + 2 * 4 + 4 + 32 * 784 * 4, frame.length);
        Tensor back = TensorFrame.decode(frame, TensorFrame.DEFAULT_MAX_PAYLOAD);
        assertArrayEquals(t.shape(), back.shape());
        for (int i = 0; i < t.data().length; i++) {
            assertEquals(Float.floatToRawIntBits(t.data()[i]), Float.floatToRawIntBits(back.data()[i]), "value " + i);
        }
        // the stream writer writes the same bytes, in chunks, and frames follow each other on one stream
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TensorFrame.write(t, out);
        Tensor small = random(2, 3);
        TensorFrame.write(small, out);
        assertArrayEquals(frame, Arrays.copyOf(out.toByteArray(), frame.length));
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(t, TensorFrame.read(in, TensorFrame.DEFAULT_MAX_PAYLOAD));
        assertEquals(small, TensorFrame.read(in, TensorFrame.DEFAULT_MAX_PAYLOAD));
        assertEquals(-1, in.read());
    }

    @Test
    void theLayoutIsLittleEndianWithTheDocumentedHeader() {
        byte[] frame = TensorFrame.encode(new Tensor(new int[] {2, 1}, new float[] {1.5f, -2f}));
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("DTNS", new String(frame, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 1, 2, 0}, Arrays.copyOfRange(frame, 4, 8));
        assertEquals(2, b.getInt(8));
        assertEquals(1, b.getInt(12));
        assertEquals(8, b.getInt(16));
        assertEquals(1.5f, b.getFloat(20));
        assertEquals(-2f, b.getFloat(24));
        assertEquals(28, frame.length);
    }

    @Test
    void truncatedFramesSayWhereTheyEnd() {
        byte[] frame = TensorFrame.encode(random(3, 4, 5));
        for (int cut : new int[] {0, 3, 8, 15, 20, frame.length - 1}) {
            byte[] part = Arrays.copyOf(frame, cut);
            EOFException e = assertThrows(EOFException.class, () -> TensorFrame.decode(part, 1 << 20), "cut at " + cut);
            assertTrue(e.getMessage().contains(cut == 0 ? "the stream ended" : "truncated tensor frame"), e.getMessage());
        }
        EOFException e = assertThrows(EOFException.class, () -> TensorFrame.decode(Arrays.copyOf(frame, 30), 1 << 20));
        assertEquals("truncated tensor frame: payload ends after 10 of 80 bytes", e.getMessage());
    }

    @Test
    void aShapeOverTheCapIsRefusedBeforeAnythingIsAllocated() {
        // a header that announces 2^31-1 x 2^31-1 floats, with no payload behind it
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(TensorFrame.MAGIC).put((byte) 1).put((byte) 1).put((byte) 2).put((byte) 0).putInt(-1).putInt(-1).putInt(-4);
        IOException e = assertThrows(IOException.class, () -> TensorFrame.decode(b.array(), 1 << 20));
        assertTrue(e.getMessage().contains("shape [4294967295, 4294967295] is over the cap of 1048576"), e.getMessage());
        // just over the cap, with the payload present: refused as well, by the header alone
        byte[] frame = TensorFrame.encode(random(4, 256, 1025));
        IOException over = assertThrows(IOException.class, () -> TensorFrame.decode(frame, 1 << 20));
        assertTrue(over.getMessage().contains("over the cap"), over.getMessage());
        // had the reader allocated first, these would be OutOfMemoryErrors, not IOExceptions
    }

    @Test
    void malformedHeadersAreNamed() {
        byte[] good = TensorFrame.encode(random(5, 2, 2));
        assertMessage(with(good, 0, (byte) 'X'), "not a tensor frame: magic 0x534e5458, expected 0x534e5444 (\"DTNS\")");
        assertMessage(with(good, 4, (byte) 2), "tensor frame version 2 is not supported");
        assertMessage(with(good, 5, (byte) 2), "tensor frame dtype 2 is not supported (1 = float32)");
        assertMessage(with(good, 6, (byte) 0), "tensor frame rank 0 is outside 1..8");
        assertMessage(with(good, 6, (byte) 9), "tensor frame rank 9 is outside 1..8");
        assertMessage(with(good, 7, (byte) 1), "reserved byte is not 0");
        assertMessage(with(good, 16, (byte) 15), "tensor frame shape [2, 2] needs 16 payload bytes, the header says 15");
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertMessage(trailing, "tensor frame has 3 bytes after its payload");
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {2, 3}, new float[5]));
    }

    private static byte[] with(byte[] frame, int at, byte value) {
        byte[] copy = frame.clone();
        copy[at] = value;
        return copy;
    }

    private static void assertMessage(byte[] frame, String message) {
        IOException e = assertThrows(IOException.class, () -> TensorFrame.decode(frame, 1 << 20));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
