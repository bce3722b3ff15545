package org.daig.experts;

import java.util.Arrays;

/**
 * The grid a mixture-of-experts layer draws its experts from: a prefix and the size of each dimension
 * ({@code ffn} with 4×4 holds {@code ffn.0.0} … {@code ffn.3.3}). Not every cell needs a live expert;
 * the gate's beam search finds the live ones.
 */
public final class ExpertGrid {

    /** Largest size of one dimension: the gate scores every index of every dimension per sample. */
    public static final int MAX_DIMENSION_SIZE = 65_536;

    private final String prefix;
    private final int[] sizes;

    public ExpertGrid(String prefix, int... sizes) {
        ExpertUid.checkPrefix(prefix, prefix);
        if (sizes.length == 0 || sizes.length > ExpertUid.MAX_DIMENSIONS) {
            throw new IllegalArgumentException("expert grid '" + prefix + "' needs 1 to " + ExpertUid.MAX_DIMENSIONS
                    + " dimensions, not " + sizes.length);
        }
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 1 || sizes[i] > MAX_DIMENSION_SIZE) {
                throw new IllegalArgumentException("expert grid '" + prefix + "': dimension " + i + " has size " + sizes[i]
                        + "; it must be 1.." + MAX_DIMENSION_SIZE);
            }
        }
        this.prefix = prefix;
        this.sizes = sizes.clone();
    }

    /** Parses a size written {@code 4x4} (or {@code 128}) for the grid with this prefix. */
    public static ExpertGrid parse(String prefix, String size) {
        if (size == null || size.isBlank()) {
            throw new IllegalArgumentException("expert grid '" + prefix + "': size is empty (expected e.g. 4x4)");
        }
        String[] parts = size.trim().split("[xX×]", -1);
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expert grid '" + prefix + "': size '" + size + "' is not like 4x4 ('"
                        + parts[i] + "' is not a number)", e);
            }
        }
        return new ExpertGrid(prefix, sizes);
    }

    public String prefix() {
        return prefix;
    }

    public int dimensions() {
        return sizes.length;
    }

    public int size(int dimension) {
        return sizes[dimension];
    }

    /** The number of cells: how many experts the grid can hold. */
    public long cells() {
        long n = 1;
        for (int s : sizes) {
            n *= s;
        }
        return n;
    }

    /** The uid of cell {@code index} in row-major order (the last coordinate changes fastest). */
    public ExpertUid uid(long index) {
        if (index < 0 || index >= cells()) {
            throw new IllegalArgumentException("cell " + index + " outside grid " + this);
        }
        int[] c = new int[sizes.length];
        long rest = index;
        for (int d = sizes.length - 1; d >= 0; d--) {
            c[d] = (int) (rest % sizes[d]);
            rest /= sizes[d];
        }
        return ExpertUid.of(prefix, c);
    }

    /** Checks that a uid lies on this grid; the message names the uid, the grid and the coordinate. */
    public ExpertUid check(ExpertUid uid) {
        if (!uid.prefix().equals(prefix)) {
            throw new IllegalArgumentException("expert uid '" + uid + "' has prefix '" + uid.prefix() + "', grid " + this + " needs '"
                    + prefix + "'");
        }
        if (uid.dimensions() != sizes.length) {
            throw new IllegalArgumentException("expert uid '" + uid + "' has " + uid.dimensions() + " coordinates, grid " + this
                    + " has " + sizes.length + " dimensions");
        }
        for (int d = 0; d < sizes.length; d++) {
            if (uid.coordinate(d) >= sizes[d]) {
                throw new IllegalArgumentException("expert uid '" + uid + "': coordinate " + (d + 1) + " (" + uid.coordinate(d)
                        + ") is outside 0.." + (sizes[d] - 1) + " of grid " + this);
            }
        }
        return uid;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(prefix).append(' ');
        for (int i = 0; i < sizes.length; i++) {
            b.append(i == 0 ? "" : "x").append(sizes[i]);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpertGrid g && g.prefix.equals(prefix) && Arrays.equals(g.sizes, sizes);
    }

    @Override
    public int hashCode() {
        return prefix.hashCode() * 31 + Arrays.hashCode(sizes);
    }
}
