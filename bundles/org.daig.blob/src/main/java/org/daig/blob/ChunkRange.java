package org.daig.blob;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Content-Range: bytes start-end/total} header of an upload chunk.
 *
 * @param start first byte of the chunk in the blob, inclusive
 * @param end   last byte, inclusive
 * @param total the whole blob's size
 */
record ChunkRange(long start, long end, long total) {

    private static final Pattern SPEC = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})", Pattern.CASE_INSENSITIVE);

    long length() {
        return end - start + 1;
    }

    /** The header's range; the exception's message says what a valid header looks like. */
    static ChunkRange parse(String header) {
        Matcher m = SPEC.matcher(header.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("Content-Range must look like 'bytes 0-8388607/20000000' (first-last/total), not '"
                    + FileBlobStore.shorten(header) + "'");
        }
        ChunkRange range = new ChunkRange(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
        if (range.end < range.start || range.end >= range.total) {
            throw new IllegalArgumentException("Content-Range '" + header.trim() + "' is not a range inside the blob: first <= last < total");
        }
        return range;
    }
}
