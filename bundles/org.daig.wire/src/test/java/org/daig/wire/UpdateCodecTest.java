package org.daig.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.daig.wire.UpdateCodec.Compression;
import org.daig.wire.UpdateCodec.Encoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UpdateCodecTest {

    private static final int N = 50_000;

    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // an update's shape: mostly small values, a few large ones
            double u1 = random.nextDouble();
            double u2 = random.nextDouble();
            v[i] = (float) (1e-3 * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2) * (i % 97 == 0 ? 20 : 1));
        }
        return v;
    }

    private static float[] roundTrip(float[] values, Compression c) throws IOException {
        return UpdateCodec.decode(new ByteArrayInputStream(UpdateCodec.encode(values, c)), values.length, c);
    }

    @Test
    void everyHalfPrecisionValueSurvivesTheRoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            short half = (short) h;
            boolean nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
            if (!nan) {
                assertEquals(half, UpdateCodec.toHalf(UpdateCodec.fromHalf(half)), "half 0x" + Integer.toHexString(h));
            }
        }
        assertEquals((short) 0x3c00, UpdateCodec.toHalf(1f));
        assertEquals((short) 0x7bff, UpdateCodec.toHalf(65504f));
        assertEquals((short) 0x2e66, UpdateCodec.toHalf(0.1f));
        assertEquals((short) 0x0001, UpdateCodec.toHalf(0x1p-24f)); // the smallest subnormal
        assertEquals((short) 0, UpdateCodec.toHalf(1e-9f));
    }

    @Test
    void fp16IsWithinHalfAnUlpAndHalvesTheBytes() throws IOException {
        float[] v = gaussian(N, 1);
        Compression fp16 = Compression.parse("fp16");
        float[] back = roundTrip(v, fp16);
        for (int i = 0; i < N; i++) {
            // normal halves have 11 significant bits; below 2^-14 the spacing is fixed at 2^-24
            double tolerance = Math.max(Math.abs(v[i]) * 0x1p-11, 0x1p-25);
            assertTrue(Math.abs(v[i] - back[i]) <= tolerance, i + ": " + v[i] + " came back as " + back[i]);
        }
        assertEquals(16 + 2L * N, UpdateCodec.encode(v, fp16).length);
        assertEquals(65504f, roundTrip(new float[] { 1e6f }, fp16)[0], "saturates instead of becoming infinite");
    }

    @Test
    void int8IsWithinHalfAStepOfItsBlockAndQuartersTheBytes() throws IOException {
        float[] v = gaussian(N, 2);
        Compression int8 = Compression.parse("int8:4096");
        float[] back = roundTrip(v, int8);
        for (int b = 0; b * 4096 < N; b++) {
            float max = 0;
            for (int i = b * 4096; i < Math.min(N, (b + 1) * 4096); i++) {
                max = Math.max(max, Math.abs(v[i]));
            }
            float step = max / 127;
            for (int i = b * 4096; i < Math.min(N, (b + 1) * 4096); i++) {
                assertTrue(Math.abs(v[i] - back[i]) <= step / 2 * 1.0001, i + ": " + v[i] + " vs " + back[i]);
            }
        }
        int bytes = UpdateCodec.encode(v, int8).length;
        assertTrue(4.0 * N / bytes > 3.9, "int8 is about 4x smaller than float32: " + bytes);
        assertArrayEquals(new float[8192], roundTrip(new float[8192], int8), "an all-zero block stays zero");
    }

    @Test
    void topKKeepsExactlyTheLargestMagnitudes() throws IOException {
        float[] v = gaussian(N, 3);
        Compression topk = Compression.parse("topk:0.01");
        float[] back = roundTrip(v, topk);
        int k = topk.kept(N);
        assertEquals(500, k);
        float[] sorted = new float[N];
        for (int i = 0; i < N; i++) {
            sorted[i] = Math.abs(v[i]);
        }
        Arrays.sort(sorted);
        float threshold = sorted[N - k];
        int kept = 0;
        for (int i = 0; i < N; i++) {
            if (back[i] != 0) {
                kept++;
                assertEquals(v[i], back[i], "a kept value is exact");
                assertTrue(Math.abs(v[i]) >= threshold);
            } else {
                assertTrue(Math.abs(v[i]) <= threshold, i + " was dropped but is among the largest");
            }
        }
        assertEquals(k, kept);
        int bytes = UpdateCodec.encode(v, topk).length;
        assertTrue(bytes <= topk.maxBytes(N));
        assertTrue(4.0 * N / bytes > 60, "1% of the values in about 6 bytes each: " + bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = { "fp16", "int8:256", "topk:0.001" })
    void errorFeedbackLosesNothingItOnlyDelays(String compression) throws IOException {
        Compression c = Compression.parse(compression);
        UpdateCodec.Residual residual = new UpdateCodec.Residual();
        double[] sentSum = new double[N];
        double[] trueSum = new double[N];
        for (int task = 0; task < 20; task++) {
            float[] delta = gaussian(N, 10 + task);
            float[] sent = UpdateCodec.decode(new ByteArrayInputStream(residual.encode(delta, c)), N, c);
            for (int i = 0; i < N; i++) {
                sentSum[i] += sent[i];
                trueSum[i] += delta[i];
            }
        }
        // what was sent plus what is still owed is what was computed, up to float rounding
        double owedMagnitude = residual.owed();
        double difference = 0;
        double total = 0;
        for (int i = 0; i < N; i++) {
            difference += Math.abs(trueSum[i] - sentSum[i]);
            total += Math.abs(trueSum[i]);
        }
        assertEquals(owedMagnitude, difference, 1e-3 * total, "sent + owed = computed");
        if (c.encoding() == Encoding.TOPK) {
            assertTrue(owedMagnitude > 0.1 * total, "sparsification owes a lot at any time: " + owedMagnitude + " of " + total);
        }
    }

    @Test
    void theHeaderIsRefusedWhenWrong() {
        float[] v = gaussian(1000, 4);
        Compression int8 = Compression.parse("int8:256");
        byte[] good = UpdateCodec.encode(v, int8);
        assertRefused(with(good, 0, (byte) 'X'), 1000, int8, "no DUP magic");
        assertRefused(with(good, 3, (byte) 2), 1000, int8, "format version 2");
        assertRefused(with(good, 4, (byte) 9), 1000, int8, "unknown encoding 9");
        assertRefused(good, 1000, Compression.parse("fp16"), "encoded as int8 but the project uses fp16");
        assertRefused(with(good, 6, (byte) 1), 1000, int8, "reserved");
        assertRefused(good, 999, int8, "holds 1000 values but the model has 999");
        assertRefused(good, 1000, Compression.parse("int8:512"), "block size 256");
        byte[] nanScale = good.clone();
        ByteBuffer.wrap(nanScale).order(ByteOrder.LITTLE_ENDIAN).putFloat(20, Float.NaN);
        assertRefused(nanScale, 1000, int8, "block scale is NaN");
    }

    @ParameterizedTest
    @ValueSource(strings = { "none", "fp16", "int8:256", "topk:0.01" })
    void everyTruncationAndTrailingByteIsRefused(String compression) {
        Compression c = Compression.parse(compression);
        byte[] good = UpdateCodec.encode(gaussian(1000, 5), c);
        for (int cut = 0; cut < good.length; cut++) {
            assertRefused(Arrays.copyOf(good, cut), 1000, c, "");
        }
        assertRefused(Arrays.copyOf(good, good.length + 1), 1000, c, "bytes after");
    }

    @Test
    void sparseIndicesOutOfRangeOrTooManyAreRefused() {
        Compression topk = Compression.parse("topk:0.01");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] { 'D', 'U', 'P', 1, 3, 0, 0, 0 }).putLong(100).putInt(1).put((byte) 100).putFloat(1f);
        assertRefused(Arrays.copyOf(b.array(), b.position()), 100, topk, "index 100 is out of range");
        b.clear();
        b.put(new byte[] { 'D', 'U', 'P', 1, 3, 0, 0, 0 }).putLong(100).putInt(2).put((byte) 0).put((byte) 0).putFloat(1f).putFloat(1f);
        assertRefused(Arrays.copyOf(b.array(), b.position()), 100, topk, "keeps 2 values where at most 1");
        b.clear();
        b.put(new byte[] { 'D', 'U', 'P', 1, 3, 0, 0, 0 }).putLong(100).putInt(1).put(new byte[] { (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, 1 }).putFloat(1f);
        assertRefused(Arrays.copyOf(b.array(), b.position()), 100, topk, "longer than 5 bytes");
    }

    @Test
    void settingsAreParsedOrRefusedByName() {
        assertEquals(Compression.NONE, Compression.parse(null));
        assertEquals("none", Compression.parse("NONE").text());
        assertEquals("int8:4096", Compression.parse("int8").text());
        assertEquals("topk:0.001", Compression.parse("topk").text());
        assertEquals("topk:0.0005", Compression.parse("topk:0.0005").text());
        for (String bad : new String[] { "gzip", "topk:0.5", "topk:0", "topk:x", "int8:10", "fp16:2" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compression.parse(bad), bad);
            assertTrue(e.getMessage().contains("e.g.") || e.getMessage().contains("use none") || e.getMessage().contains("no argument"),
                    e.getMessage());
        }
    }

    private static byte[] with(byte[] bytes, int at, byte value) {
        byte[] copy = bytes.clone();
        copy[at] = value;
        return copy;
    }

    private static void assertRefused(byte[] bytes, long length, Compression c, String fragment) {
        IOException e = assertThrows(IOException.class, () -> UpdateCodec.decode(new ByteArrayInputStream(bytes), length, c),
                "refused: " + fragment);
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }
}
