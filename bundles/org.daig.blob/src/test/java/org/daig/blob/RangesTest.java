package org.daig.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Range header of downloads and the Content-Range header of upload chunks. */
class RangesTest {

    @Test
    void singleRangesAreResolvedAgainstTheSize() {
        assertEquals(new ByteRange(10, 19), ByteRange.parse("bytes=10-19", 100));
        assertEquals(new ByteRange(10, 99), ByteRange.parse("bytes=10-", 100));
        assertEquals(new ByteRange(90, 99), ByteRange.parse("bytes=-10", 100));
        assertEquals(new ByteRange(0, 99), ByteRange.parse("bytes=-500", 100), "a suffix longer than the blob is all of it");
        assertEquals(new ByteRange(50, 99), ByteRange.parse("bytes=50-5000", 100), "the end is cut to the blob");
        assertEquals(new ByteRange(0, 99), ByteRange.parse("bytes=0-99999999999999999999999", 100));
        assertEquals(10, ByteRange.parse("bytes=10-19", 100).length());
    }

    @Test
    void rangesPastTheEndAreUnsatisfiable() {
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=100-", 100));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=100-200", 100));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-0", 100));
        assertEquals(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=0-", 0));
    }

    @Test
    void headersWeDoNotServeAsARangeMeanTheWholeBlob() {
        assertNull(ByteRange.parse(null, 100));
        assertNull(ByteRange.parse("bytes=0-1,5-6", 100), "several ranges");
        assertNull(ByteRange.parse("items=0-1", 100));
        assertNull(ByteRange.parse("bytes=5-1", 100));
        assertNull(ByteRange.parse("bytes=-", 100));
    }

    @Test
    void chunkRangesMustLieInsideTheBlob() {
        ChunkRange chunk = ChunkRange.parse("bytes 8388608-16777215/20000000");
        assertEquals(new ChunkRange(8388608, 16777215, 20000000), chunk);
        assertEquals(8388608, chunk.length());
        IllegalArgumentException syntax = assertThrows(IllegalArgumentException.class, () -> ChunkRange.parse("bytes 0-9/*"));
        assertTrue(syntax.getMessage().contains("bytes 0-8388607/20000000"), syntax.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChunkRange.parse("bytes 10-9/100"));
        assertThrows(IllegalArgumentException.class, () -> ChunkRange.parse("bytes 0-100/100"));
    }
}
