package org.daig.experts;

/**
 * The size of one expert block: {@code width} → {@code hidden} (ReLU) → {@code width}, biases
 * included. The one place its parameter count is written: the trainer's blocks, the model file and
 * the coordinator's checkpoints all count with it.
 */
public record BlockSize(int width, int hidden) {

    public BlockSize {
        if (width < 1 || hidden < 1) {
            throw new IllegalArgumentException("an expert block needs width and hidden >= 1, not " + width + " and " + hidden);
        }
    }

    /** Parameters of one block: both weight matrices and both bias vectors. */
    public long parameters() {
        return (long) width * hidden + hidden + (long) hidden * width + width;
    }
}
