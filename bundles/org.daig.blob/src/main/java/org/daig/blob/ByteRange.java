package org.daig.blob;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one byte range of a {@code Range} request header, resolved against a blob's size (RFC 9110
 * section 14). Headers this server does not serve as a range (several ranges, another unit, bad
 * syntax) yield {@code null}, which means "send the whole blob", as the RFC allows.
 *
 * @param start first byte, inclusive
 * @param end   last byte, inclusive
 */
record ByteRange(long start, long end) {

    /** A range that starts past the end of the blob (answered with 416). */
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    private static final Pattern SPEC = Pattern.compile("bytes=(\\d*)-(\\d*)", Pattern.CASE_INSENSITIVE);

    long length() {
        return end - start + 1;
    }

    boolean satisfiable() {
        return start >= 0;
    }

    static ByteRange parse(String header, long size) {
        if (header == null) {
            return null;
        }
        Matcher m = SPEC.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return null;
        }
        if (m.group(1).isEmpty()) { // bytes=-n: the last n bytes
            long suffix = number(m.group(2));
            if (suffix == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new ByteRange(Math.max(0, size - suffix), size - 1);
        }
        long first = number(m.group(1));
        long last = m.group(2).isEmpty() ? Long.MAX_VALUE : number(m.group(2));
        if (last < first) {
            return null; // invalid: ignore the header
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        return new ByteRange(first, Math.min(last, size - 1));
    }

    /** Digits as a long; numbers too big for one are as good as infinite here. */
    static long number(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
