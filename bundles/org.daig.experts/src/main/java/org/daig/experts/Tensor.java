package org.daig.experts;

import java.util.Arrays;

/** A dense float32 tensor: its shape and its values in row-major order. */
public final class Tensor {

    /** Most dimensions a tensor on the wire may have (batch, features, and a few more). */
    public static final int MAX_RANK = 8;

    private final int[] shape;
    private final float[] data;

    /** Takes ownership of {@code data}; throws IllegalArgumentException if the shape does not fit it. */
    public Tensor(int[] shape, float[] data) {
        if (shape.length < 1 || shape.length > MAX_RANK) {
            throw new IllegalArgumentException("a tensor has 1 to " + MAX_RANK + " dimensions, not " + shape.length);
        }
        long n = elements(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, the data has "
                    + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    /** The number of values a shape holds; throws IllegalArgumentException for a negative dimension. */
    public static long elements(int[] shape) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("dimension " + i + " of shape " + Arrays.toString(shape) + " is negative");
            }
            n *= shape[i];
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds more than " + Integer.MAX_VALUE
                        + " values");
            }
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dimension(int i) {
        return shape[i];
    }

    /** The values themselves (not a copy): callers that keep the tensor must not change them. */
    public float[] data() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
