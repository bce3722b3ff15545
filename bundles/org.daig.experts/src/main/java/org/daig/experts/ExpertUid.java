package org.daig.experts;

import java.util.regex.Pattern;

/**
 * An expert's identity: a prefix that names the layer ({@code ffn}) and its coordinates on the grid,
 * written {@code ffn.3.1}. Coordinates are decimal without leading zeros, so each uid has exactly one
 * spelling and the DHT keys of two servers that host the same expert agree.
 */
public final class ExpertUid {

    /** Longest uid accepted: it travels in every DHT key and every call's header. */
    public static final int MAX_LENGTH = 128;
    /** Most grid dimensions; beam search does one round of DHT lookups per dimension. */
    public static final int MAX_DIMENSIONS = 8;

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
    private static final Pattern COORDINATE = Pattern.compile("0|[1-9][0-9]{0,8}");

    private final String prefix;
    private final int[] coordinates;
    private final String text;

    private ExpertUid(String prefix, int[] coordinates) {
        this.prefix = prefix;
        this.coordinates = coordinates;
        StringBuilder b = new StringBuilder(prefix);
        for (int c : coordinates) {
            b.append('.').append(c);
        }
        this.text = b.toString();
    }

    /** The uid with these coordinates; throws IllegalArgumentException naming what is wrong. */
    public static ExpertUid of(String prefix, int... coordinates) {
        checkPrefix(prefix, prefix);
        if (coordinates.length == 0 || coordinates.length > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("expert uid with prefix '" + prefix + "' needs 1 to " + MAX_DIMENSIONS
                    + " coordinates, not " + coordinates.length);
        }
        for (int c : coordinates) {
            if (c < 0) {
                throw new IllegalArgumentException("expert uid with prefix '" + prefix + "': coordinate " + c + " is negative");
            }
        }
        ExpertUid uid = new ExpertUid(prefix, coordinates.clone());
        if (uid.text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("expert uid '" + uid.text + "' is longer than " + MAX_LENGTH + " characters");
        }
        return uid;
    }

    /** Parses {@code prefix.i.j...}; throws IllegalArgumentException quoting the text and the bad part. */
    public static ExpertUid parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("expert uid is empty (expected prefix.i.j, e.g. ffn.3.1)");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("expert uid '" + text.substring(0, 32) + "…' is longer than " + MAX_LENGTH + " characters");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length < 2) {
            throw new IllegalArgumentException("expert uid '" + text + "' has no grid coordinates (expected prefix.i.j, e.g. ffn.3.1)");
        }
        checkPrefix(parts[0], text);
        if (parts.length - 1 > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("expert uid '" + text + "' has " + (parts.length - 1) + " coordinates; at most "
                    + MAX_DIMENSIONS);
        }
        int[] coordinates = new int[parts.length - 1];
        for (int i = 1; i < parts.length; i++) {
            if (!COORDINATE.matcher(parts[i]).matches()) {
                throw new IllegalArgumentException("expert uid '" + text + "': coordinate " + i + " ('" + parts[i]
                        + "') is not a non-negative integer without leading zeros");
            }
            coordinates[i - 1] = Integer.parseInt(parts[i]);
        }
        return new ExpertUid(parts[0], coordinates);
    }

    static void checkPrefix(String prefix, String context) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("expert uid '" + context + "': prefix '" + prefix
                    + "' must start with a letter or '_' and hold only letters, digits, '_' and '-'");
        }
    }

    public String prefix() {
        return prefix;
    }

    public int dimensions() {
        return coordinates.length;
    }

    public int coordinate(int dimension) {
        return coordinates[dimension];
    }

    /**
     * The uid's first {@code depth} coordinates as a DHT key: depth 0 is the bare prefix ({@code ffn}),
     * depth 1 {@code ffn.3}; depth {@link #dimensions()} is the uid itself.
     */
    public String prefixKey(int depth) {
        if (depth < 0 || depth > coordinates.length) {
            throw new IllegalArgumentException("depth " + depth + " outside 0.." + coordinates.length + " for " + text);
        }
        StringBuilder b = new StringBuilder(prefix);
        for (int i = 0; i < depth; i++) {
            b.append('.').append(coordinates[i]);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpertUid other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
