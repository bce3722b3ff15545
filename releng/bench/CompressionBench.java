// Compression benchmark (issue 15): bytes per update as a ratio to the float32 .npy, and encode and
// decode time as a ratio to a plain copy of the float32 bytes (System.arraycopy of 4n bytes),
// measured in the same process on update-like vectors (mostly small values, a few large ones).
// Each op is warmed up before the median of its timed runs is taken.
//
//   releng/bench/strategies-bench.sh runs it (see docs/strategies.md)
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.daig.wire.UpdateCodec;
import org.daig.wire.VectorFile;

public class CompressionBench {

    interface Op {
        void run() throws Exception;
    }

    static double median(Op op, int warmup, int runs) throws Exception {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            op.run();
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        SplittableRandom random = new SplittableRandom(7);
        float[] update = new float[n];
        for (int i = 0; i < n; i++) {
            update[i] = (float) (random.nextGaussian() * 1e-3 * (i % 97 == 0 ? 20 : 1));
        }
        byte[] raw = new byte[4 * n];
        byte[] copy = new byte[4 * n];
        long npy = VectorFile.fileSize(n);
        double memcpy = median(() -> System.arraycopy(raw, 0, copy, 0, raw.length), 20, 31);
        System.out.printf("update of %,d float32 values (%.1f MB as .npy); plain copy of its bytes %.2f ms%n", n, npy / 1e6, memcpy / 1e6);
        System.out.println("| encoding | bytes | ratio to .npy | encode / copy | decode / copy | encode with error feedback / copy |");
        System.out.println("|---|---|---|---|---|---|");
        for (String name : new String[] { "fp16", "int8", "topk:0.01", "topk:0.001" }) {
            UpdateCodec.Compression c = UpdateCodec.Compression.parse(name);
            byte[] encoded = UpdateCodec.encode(update, c);
            double encode = median(() -> UpdateCodec.encode(update, c), 5, 11);
            double decode = median(() -> UpdateCodec.decode(new ByteArrayInputStream(encoded), n, c), 5, 11);
            UpdateCodec.Residual residual = new UpdateCodec.Residual();
            double feedback = median(() -> residual.encode(update, c), 3, 7);
            System.out.printf("| %s | %,d | %.1fx smaller | %.1f | %.1f | %.1f |%n", c.text(), encoded.length, (double) npy / encoded.length,
                    encode / memcpy, decode / memcpy, feedback / memcpy);
        }
    }
}
