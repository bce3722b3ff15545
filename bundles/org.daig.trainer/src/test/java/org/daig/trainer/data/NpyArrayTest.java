package org.daig.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.daig.trainer.SharedData;
import org.daig.trainer.TrainerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyArrayTest {

    @TempDir
    Path dir;

    private Path npy(String descr, String shape, ByteBuffer data) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        String header = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        Path file = dir.resolve(descr.replaceAll("[^a-z0-9]", "_") + ".npy");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0 });
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(data.array(), 0, data.position());
        }
        return file;
    }

    private static ByteBuffer buffer(ByteOrder order) {
        return ByteBuffer.allocate(64).order(order);
    }

    @Test
    void everySupportedDtypeReadsAsFloat() throws Exception {
        float[] expected = { 1, -2, 3 };
        assertRead(npy("<f2", "(3,)",
                buffer(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x4200)), expected);
        assertRead(npy("<f4", "(3,)", buffer(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(-2).putFloat(3)), expected);
        assertRead(npy(">f8", "(3,)", buffer(ByteOrder.BIG_ENDIAN).putDouble(1).putDouble(-2).putDouble(3)), expected);
        assertRead(npy("|i1", "(3,)", buffer(ByteOrder.LITTLE_ENDIAN).put((byte) 1).put((byte) -2).put((byte) 3)), expected);
        assertRead(npy("<i2", "(3,)", buffer(ByteOrder.LITTLE_ENDIAN).putShort((short) 1).putShort((short) -2).putShort((short) 3)), expected);
        assertRead(npy("<i4", "(3,)", buffer(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(-2).putInt(3)), expected);
        assertRead(npy("<i8", "(3,)", buffer(ByteOrder.LITTLE_ENDIAN).putLong(1).putLong(-2).putLong(3)), expected);
        assertRead(npy("|u1", "(3,)", buffer(ByteOrder.LITTLE_ENDIAN).put((byte) 1).put((byte) 254).put((byte) 3)), new float[] { 1, 254, 3 });
        assertRead(npy("|b1", "(3,)", buffer(ByteOrder.LITTLE_ENDIAN).put((byte) 1).put((byte) 0).put((byte) 1)), new float[] { 1, 0, 1 });
    }

    private static void assertRead(Path file, float[] expected) throws TrainerException {
        try (NpyArray array = NpyArray.open(file)) {
            assertArrayEquals(expected, array.readFloats(0, array.rows()), file.getFileName().toString());
        }
    }

    @Test
    void aShardIsReadWithoutTheRestOfTheFile() throws Exception {
        try (NpyArray x = NpyArray.open(SharedData.file("digits/train_x.npy"))) {
            assertEquals(1437, x.rows());
            assertEquals(64, x.rowElements());
            float[] all = x.readFloats(0, x.rows());
            float[] shard = x.readFloats(100, 110);
            assertEquals(10 * 64, shard.length);
            for (int i = 0; i < shard.length; i++) {
                assertEquals(all[100 * 64 + i], shard[i]);
            }
        }
        try (NpyArray y = NpyArray.open(SharedData.file("digits/train_y.npy"))) {
            assertEquals("int64", y.dtype());
            assertEquals(1, y.rowElements());
        }
    }

    @Test
    void aTruncatedFileIsRefusedBeforeReading() throws Exception {
        Path file = npy("<f4", "(10, 4)", buffer(ByteOrder.LITTLE_ENDIAN).putFloat(1));
        TrainerException e = assertThrows(TrainerException.class, () -> NpyArray.open(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void fortranOrderAndStructuredDtypesAreRefusedWithTheFix() throws Exception {
        Path fortran = dir.resolve("f.npy");
        String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
        String header = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        try (OutputStream out = Files.newOutputStream(fortran)) {
            out.write(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0 });
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[16]);
        }
        assertTrue(assertThrows(TrainerException.class, () -> NpyArray.open(fortran)).getMessage().contains("ascontiguousarray"));
        Path complex = npy("<c8", "(1,)", buffer(ByteOrder.LITTLE_ENDIAN).putLong(0));
        assertTrue(assertThrows(TrainerException.class, () -> NpyArray.open(complex)).getMessage().contains("not supported"));
    }

    @Test
    void whatTheWriterWritesTheReaderReads() throws Exception {
        Path file = dir.resolve("w.npy");
        NpyWriter.writeFloat32(file, new long[] { 2, 3 }, new float[] { 1, 2, 3, 4, 5, 6 });
        try (NpyArray array = NpyArray.open(file)) {
            assertArrayEquals(new long[] { 2, 3 }, array.shape());
            assertArrayEquals(new float[] { 4, 5, 6 }, array.readFloats(1, 2));
        }
    }
}
