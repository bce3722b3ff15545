package org.daig.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ParamsDiffTest {

    private static float[] gaussian(Random random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * random.nextGaussian());
        }
        return v;
    }

    /**
     * The coordinator's B(v) and a provider's, rebuilt from B(0) and the differences alone, are
     * the same floats; and because each difference is taken from B, not from the exact P, what one
     * encoding drops is sent by the next: B stays within one step's error of P over many versions.
     */
    @Test
    void aProviderRebuildsTheSentParametersExactlyAndTheyTrackTheExactOnes() throws IOException {
        Random random = new Random(3);
        UpdateCodec.Compression int8 = UpdateCodec.Compression.parse("int8:256");
        float[] exact = gaussian(random, 5000, 1);
        float[] coordinator = exact.clone();
        float[] provider = exact.clone();
        for (int v = 1; v <= 50; v++) {
            float[] step = gaussian(random, exact.length, 0.01);
            for (int i = 0; i < exact.length; i++) {
                exact[i] += step[i];
            }
            byte[] diff = ParamsDiff.encode(coordinator, exact, int8);
            ParamsDiff.apply(coordinator, diff, int8);
            ParamsDiff.apply(provider, diff.clone(), int8);
        }
        assertArrayEquals(coordinator, provider, "bit for bit");
        double worst = 0;
        for (int i = 0; i < exact.length; i++) {
            worst = Math.max(worst, Math.abs(exact[i] - coordinator[i]));
        }
        // one int8 step of a difference of ~0.01-scale values is ~0.04/127; without feedback 50 errors would add up
        assertTrue(worst < 0.001, "B is within one step's rounding of P after 50 versions: " + worst);
    }

    @Test
    void differencesAreSentOnlyWhileTheySaveAQuarterOfTheWholeVector() {
        assertEquals(0, ParamsDiff.worthSending(100_000, UpdateCodec.Compression.NONE));
        assertEquals(1, ParamsDiff.worthSending(100_000, UpdateCodec.Compression.parse("fp16")), "two fp16 differences weigh a vector");
        assertEquals(2, ParamsDiff.worthSending(100_000, UpdateCodec.Compression.parse("int8")), "three int8 ones, 3/4 of it");
        assertEquals(ParamsDiff.MAX_CHAIN, ParamsDiff.worthSending(100_000, UpdateCodec.Compression.parse("topk:0.001")));
        assertEquals(UpdateCodec.Compression.parse("int8"), ParamsDiff.encodingFor(UpdateCodec.Compression.parse("topk:0.001")),
                "topk projects get their parameters in int8");
        assertEquals(UpdateCodec.Compression.parse("fp16"), ParamsDiff.encodingFor(UpdateCodec.Compression.parse("fp16")));
    }

    @Test
    void aDifferenceOfAnotherLengthOrATruncatedOneIsRefused() {
        UpdateCodec.Compression fp16 = UpdateCodec.Compression.parse("fp16");
        byte[] diff = ParamsDiff.encode(new float[10], new float[10], fp16);
        assertThrows(IOException.class, () -> ParamsDiff.apply(new float[11], diff, fp16));
        assertThrows(IOException.class, () -> ParamsDiff.apply(new float[10], java.util.Arrays.copyOf(diff, diff.length - 3), fp16));
        assertThrows(IllegalArgumentException.class, () -> ParamsDiff.encode(new float[10], new float[9], fp16));
    }
}
