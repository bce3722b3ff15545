// Coordinator benchmark (issue 4): averaging K=8 updates of 10M float32 parameters with the
// K-batch sync strategy, against a raw copy (System.arraycopy) of the same bytes in the same
// process. Goal: aggregation bandwidth at least 50% of the copy's. Also the .npy vector decode
// the coordinator does per update (from a byte array, so disk speed is left out).
//
//   releng/bench/aggregation-bench.sh
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.daig.coordinator.aggregate.AggregationStrategy;
import org.daig.coordinator.aggregate.KBatchSyncSgd;
import org.daig.wire.VectorFile;

public class AggregationBench {

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

    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        int n = 10_000_000;
        int k = 8;
        SplittableRandom random = new SplittableRandom(1);
        float[] params = new float[n];
        List<float[]> deltas = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            params[i] = (float) random.nextGaussian();
        }
        for (int j = 0; j < k; j++) {
            float[] d = new float[n];
            for (int i = 0; i < n; i++) {
                d[i] = (float) (random.nextGaussian() * 1e-3);
            }
            deltas.add(d);
        }
        List<AggregationStrategy.Update> updates = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            float[] d = deltas.get(j);
            long samples = 1000 + j;
            double norm = norm(d);
            updates.add(new AggregationStrategy.Update() {
                public long samples() {
                    return samples;
                }

                public double norm() {
                    return norm;
                }

                public float[] delta() {
                    return d;
                }
            });
        }
        KBatchSyncSgd strategy = new KBatchSyncSgd();
        float[] target = new float[n];
        double copy = median(() -> {
            for (float[] d : deltas) {
                System.arraycopy(d, 0, target, 0, n);
            }
            sink = target;
        }, 20, 15);
        org.daig.coordinator.aggregate.RobustAggregation mean = org.daig.coordinator.aggregate.RobustAggregation.DEFAULT;
        double aggregate = median(() -> sink = strategy.aggregate(params, updates, mean).next(), 20, 15);
        long bytes = (long) k * n * 4;
        System.out.printf("machine: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("copy of %d x %d floats (%.0f MB): %.1f ms = %.2f GB/s%n", k, n, bytes / 1e6, copy / 1e6, bytes / copy);
        System.out.printf("K-batch sync aggregation, K=%d, %d params: %.1f ms = %.2f GB/s = %.0f%% of the copy's bandwidth%n", k, n,
                aggregate / 1e6, bytes / aggregate, 100 * copy / aggregate);

        // several parameter servers: the same aggregation cut into ranges, one thread per range (issue 15)
        int cores = Runtime.getRuntime().availableProcessors();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(cores);
        for (int shards : new int[] { 2, cores }) {
            org.daig.coordinator.aggregate.ParameterShards ps = new org.daig.coordinator.aggregate.ParameterShards(pool, shards);
            double sharded = median(() -> sink = ps.aggregate(strategy, params, updates, mean).next(), 10, 15);
            System.out.printf("the same with %d parameter shards: %.1f ms = %.2fx faster than one%n", shards, sharded / 1e6, aggregate / sharded);
        }
        pool.shutdown();

        ByteArrayOutputStream out = new ByteArrayOutputStream(n * 4 + 128);
        VectorFile.write(out, deltas.get(0));
        byte[] encoded = out.toByteArray();
        double decode = median(() -> sink = VectorFile.read(new ByteArrayInputStream(encoded), n), 20, 15);
        double copyOne = median(() -> {
            System.arraycopy(deltas.get(0), 0, target, 0, n);
            sink = target;
        }, 20, 15);
        System.out.printf("decode one .npy update (%d floats): %.1f ms = %.1fx the copy of the same bytes (%.1f ms)%n", n, decode / 1e6,
                decode / copyOne, copyOne / 1e6);
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
