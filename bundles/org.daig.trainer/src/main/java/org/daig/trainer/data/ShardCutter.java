package org.daig.trainer.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.daig.trainer.TrainerException;

/**
 * Cuts a data set into a validation set and {@code shards} training shards, in one sequential
 * pass over the files and with bounded memory, keeping the dtype's bytes as they are.
 *
 * <p>Rows are dealt like cards rather than cut into blocks: the validation set takes rows spread
 * evenly over the file (row r when floor((r+1)·rate) > floor(r·rate)), and the remaining rows go
 * to shard 0, 1, ..., shards−1, 0, 1, ... A file sorted by class (common in the wild) therefore
 * still gives every shard and the validation set the whole mix, which synchronous SGD needs;
 * contiguous blocks would hand each volunteer one class. Shard sizes differ by at most one row.
 */
public final class ShardCutter {

    /** Rows read per chunk are capped so a chunk stays near this size. */
    private static final int CHUNK_BYTES = 4 << 20;

    private ShardCutter() {
    }

    /** Row counts of what was written: the shards in order, then the validation set. */
    public record Cut(long[] shardRows, long validationRows) {
    }

    /** Number of validation rows for {@code rows} rows at {@code rate}. */
    public static long validationRows(long rows, double rate) {
        return (long) Math.floor(rows * rate);
    }

    /**
     * Writes {@code dir/x-<i>.npy}, {@code dir/y-<i>.npy} for each shard and, if the rate holds
     * out any rows, {@code dir/x-val.npy}, {@code dir/y-val.npy}.
     */
    public static Cut cut(NpyArray x, NpyArray y, int shards, double rate, Path dir) throws TrainerException {
        long rows = x.rows();
        if (y.rows() != rows) {
            throw new TrainerException(x.file().getFileName() + " has " + rows + " samples but " + y.file().getFileName() + " has "
                    + y.rows() + " labels: they must have the same length");
        }
        long validation = validationRows(rows, rate);
        long train = rows - validation;
        if (shards < 1 || train < shards) {
            throw new TrainerException("cannot cut " + train + " training rows into " + shards + " shards: use at most " + train
                    + " total tasks");
        }
        long[] shardRows = new long[shards];
        for (int i = 0; i < shards; i++) {
            shardRows[i] = (train - i + shards - 1) / shards;
        }
        try {
            Files.createDirectories(dir);
            deal(x, "x", shardRows, validation, rate, dir);
            deal(y, "y", shardRows, validation, rate, dir);
        } catch (IOException e) {
            throw new TrainerException(dir + ": cannot write the shards (" + e.getMessage() + ")", e);
        }
        return new Cut(shardRows, validation);
    }

    private static void deal(NpyArray source, String name, long[] shardRows, long validation, double rate, Path dir)
            throws IOException {
        int shards = shardRows.length;
        long[] tail = source.shape();
        List<OutputStream> outputs = new ArrayList<>(shards + 1);
        try {
            for (int i = 0; i < shards; i++) {
                outputs.add(open(dir.resolve(name + "-" + i + ".npy"), source.descr(), withRows(tail, shardRows[i])));
            }
            OutputStream held = validation > 0 ? open(dir.resolve(name + "-val.npy"), source.descr(), withRows(tail, validation)) : null;
            if (held != null) {
                outputs.add(held); // closed with the others
            }
            int rowBytes = (int) source.rowBytes();
            long perChunk = Math.max(1, CHUNK_BYTES / Math.max(1, rowBytes));
            byte[] row = new byte[rowBytes];
            long trainIndex = 0;
            for (long start = 0; start < source.rows(); start += perChunk) {
                long count = Math.min(perChunk, source.rows() - start);
                ByteBuffer chunk = ByteBuffer.allocate((int) (count * rowBytes));
                source.readRowBytes(start, chunk);
                chunk.flip();
                for (long r = start; r < start + count; r++) {
                    chunk.get(row);
                    if (isValidation(r, rate)) {
                        held.write(row);
                    } else {
                        outputs.get((int) (trainIndex++ % shards)).write(row);
                    }
                }
            }
        } finally {
            IOException first = null;
            for (OutputStream out : outputs) {
                try {
                    out.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    static boolean isValidation(long row, double rate) {
        return Math.floor((row + 1) * rate) > Math.floor(row * rate);
    }

    private static long[] withRows(long[] shape, long rows) {
        long[] copy = shape.clone();
        copy[0] = rows;
        return copy;
    }

    private static OutputStream open(Path file, String descr, long[] shape) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        out.write(NpyWriter.header(descr, shape));
        return out;
    }
}
