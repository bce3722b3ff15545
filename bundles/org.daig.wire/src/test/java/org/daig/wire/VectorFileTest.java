package org.daig.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class VectorFileTest {

    private static byte[] file(float[] values) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorFile.write(out, values);
        assertEquals(VectorFile.fileSize(values.length), out.size());
        return out.toByteArray();
    }

    @Test
    void vectorsOfEverySizeAroundTheReadersChunkComeBackExactly() throws IOException {
        Random random = new Random(7);
        for (int length : new int[] { 0, 1, 3, 195, 65_535, 65_536, 65_537, 200_003 }) {
            float[] values = new float[length];
            for (int i = 0; i < length; i++) {
                values[i] = random.nextFloat() - 0.5f;
            }
            byte[] bytes = file(values);
            assertArrayEquals(values, VectorFile.read(new ByteArrayInputStream(bytes), length), "length " + length);
            assertArrayEquals(values, VectorFile.read(new ByteArrayInputStream(bytes), -1), "length " + length + ", any length allowed");
        }
    }

    @Test
    void aWrongLengthATruncatedFileAndTrailingBytesAreRefusedByName() throws IOException {
        byte[] bytes = file(new float[] { 1, 2, 3 });
        IOException wrong = assertThrows(IOException.class, () -> VectorFile.read(new ByteArrayInputStream(bytes), 4));
        assertTrue(wrong.getMessage().contains("holds 3 values but the model has 4"), wrong.getMessage());
        IOException truncated = assertThrows(IOException.class,
                () -> VectorFile.read(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length - 1)), 3));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        IOException trailing = assertThrows(IOException.class,
                () -> VectorFile.read(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length + 1)), 3));
        assertTrue(trailing.getMessage().contains("bytes after"), trailing.getMessage());
    }
}
