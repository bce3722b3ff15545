package org.daig.trainer.experts;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.daig.experts.ExpertGrid;
import org.daig.experts.ExpertUid;
import org.daig.experts.dht.Stored;
import org.daig.experts.dht.UdpNode;
import org.daig.experts.gate.BeamSearch;
import org.daig.experts.gate.DhtCache;
import org.daig.experts.gate.NegativeCache;
import org.daig.experts.net.ExpertClient;
import org.daig.trainer.data.IdxFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainer of a model with a mixture of remote experts (issue 18), in its own JVM: inputs → Dense(ReLU)
 * → a mixture of remote experts → Dense softmax ({@link MoeClassifier}), on Fashion-MNIST's IDX files
 * ({@code --data}, the bench's) or on any .npy data ({@code --x}, {@code --y}: class ids or one-hot
 * rows; {@code --test-x}, {@code --test-y} for the accuracy at the end). Like Learning@home's trainers,
 * each trainer has its own copy of the non-expert layers and its own slice of the training data
 * ({@code --index} of {@code --trainers}, after one shuffle with the shared seed), and all share the
 * experts, found through the DHT (UDP, joined through {@code --bootstrap}) and called over TCP with the
 * experts' token ({@code DAIG_EXPERTS_TOKEN}, or {@code --token-file}). What {@code daig experts train}
 * runs.
 *
 * <pre>
 * java -cp trainer class path org.daig.trainer.experts.MoeTrainer --bootstrap HOST:PORT [--index 0] [--trainers 2]
 *   [--epochs 3] [--train-limit 60000] [--test-limit 10000] [--batch 100] ... [--result FILE] [--save MODEL.zip]
 * </pre>
 * {@code --save}: at the end, asks every expert's server for its parameters and writes the whole model
 * ({@link ExpertsModelFile}), which {@code daig model predict} and {@code daig model evaluate} run.
 */
public final class MoeTrainer {

    private static final Set<String> OPTIONS = Set.of("data", "bootstrap", "host", "dht-port", "index", "trainers", "epochs",
            "train-limit", "test-limit", "batch", "hidden", "bottom", "grid", "k", "k-min", "lr", "seed", "forward-timeout-ms", "after-k-min-ms",
            "backward-timeout-ms", "call-timeout-ms", "progress", "result", "save", "x", "y", "test-x", "test-y", "token-file", "prefix",
            "dht-mode", "relay-token-file", "relay-ca");

    private MoeTrainer() {
    }

    public static void main(String[] args) throws Exception {
        int code = run(args);
        System.exit(code); // ND4J's and the client's threads must not keep the JVM
    }

    /** Trains as the options say; 0 when done. */
    public static int run(String[] args) throws Exception {
        MainArgs a = new MainArgs("experts trainer", args, OPTIONS);
        byte[] token = a.token();
        int index = a.integer("index", 0);
        int trainers = a.integer("trainers", 2);
        int epochs = a.integer("epochs", 3);
        int batch = a.integer("batch", 100);
        int hidden = a.integer("hidden", 128);
        long seed = a.integer("seed", 18);
        double lr = a.number("lr", 1e-3);
        int progress = a.integer("progress", 50);
        ExpertGrid grid = ExpertGrid.parse(a.text("prefix", "ffn"), a.text("grid", "4x4"));
        if (index < 0 || index >= trainers) {
            throw new IllegalArgumentException("experts trainer: --index must be 0.." + (trainers - 1) + ", not " + index);
        }
        String me = "trainer " + index;

        IdxFiles.Images train;
        int[] trainLabels;
        IdxFiles.Images test;
        int[] testLabels;
        if (a.has("x")) {
            train = NpyData.samples(Path.of(a.text("x", null)));
            trainLabels = NpyData.labels(Path.of(a.text("y", null)), train.count());
            test = a.has("test-x") ? NpyData.samples(Path.of(a.text("test-x", null))) : new IdxFiles.Images(0, train.size(), new float[0]);
            testLabels = a.has("test-x") ? NpyData.labels(Path.of(a.text("test-y", null)), test.count()) : new int[0];
            if (test.count() > 0 && test.size() != train.size()) {
                throw new IllegalArgumentException("experts trainer: --test-x has " + test.size() + " values per sample, --x has " + train.size());
            }
        } else {
            Path data = Path.of(a.text("data", "/usr/share/datasets/fashion-mnist"));
            train = IdxFiles.readImages(IdxFiles.find(data, "train-images"));
            trainLabels = IdxFiles.readLabels(IdxFiles.find(data, "train-labels"));
            test = IdxFiles.readImages(IdxFiles.find(data, "t10k-images"));
            testLabels = IdxFiles.readLabels(IdxFiles.find(data, "t10k-labels"));
        }
        int classes = Math.max(2, 1 + Math.max(java.util.Arrays.stream(trainLabels).max().orElse(0),
                java.util.Arrays.stream(testLabels).max().orElse(0)));
        int[] order = shuffled(Math.min(train.count(), a.integer("train-limit", train.count())), new SplittableRandom(seed));
        int from = order.length * index / trainers;
        int to = order.length * (index + 1) / trainers;
        int[] mine = java.util.Arrays.copyOfRange(order, from, to);
        int testCount = Math.min(test.count(), a.integer("test-limit", test.count()));

        // client mode behind NAT (a grid project's trainer): the coordinator's peer keeps the entries
        UdpNode dht = "client".equals(a.text("dht-mode", "server"))
                ? UdpNode.startClient(a.text("host", "127.0.0.1"), a.integer("dht-port", 0), 2_000, token)
                : UdpNode.start(a.text("host", "127.0.0.1"), a.integer("dht-port", 0), 2_000, token);
        dht.join(a.text("bootstrap", null)).get(30, TimeUnit.SECONDS);
        int found = waitForExperts(dht, a.text("bootstrap", null), grid, 60_000);
        System.out.printf(Locale.ROOT, "%s: %d training images, %d test images, %d of %d experts in the DHT (via %s, %d peers known)%n", me,
                mine.length, testCount, found, grid.cells(), dht.address(), dht.node().knownPeers());

        long callTimeout = a.integer("call-timeout-ms", 5_000);
        NegativeCache dead = new NegativeCache(System::currentTimeMillis, 10_000);
        BeamSearch search = new BeamSearch(new DhtCache(dht.node(), System::currentTimeMillis, 2_000), grid, dead);
        MixtureOfExperts.Settings settings = new MixtureOfExperts.Settings(a.integer("k", 4), a.integer("k-min", 2),
                a.integer("forward-timeout-ms", 10_000), a.integer("after-k-min-ms", 300), a.integer("backward-timeout-ms", 10_000));
        // experts behind the grid's relay are called through it with the caller's grid session (DAIG_RELAY_TOKEN or a file)
        boolean relayed = a.has("relay-token-file") || System.getenv(ExpertHostMain.RELAY_TOKEN_VARIABLE) != null;
        byte[] relayToken = relayed ? a.secret("relay-token-file", ExpertHostMain.RELAY_TOKEN_VARIABLE, "the relay's token") : null;
        javax.net.SocketFactory sockets = ExpertHosting.Relay.sockets(a.has("relay-ca") ? Path.of(a.text("relay-ca", null)) : null);
        try (ExpertClient client = new ExpertClient(token, callTimeout, callTimeout, 64L << 20, relayToken, sockets)) {
            MixtureOfExperts moe = new MixtureOfExperts(new Gate(hidden, grid, lr, seed + 7), search, dead, client, hidden, settings,
                    MixtureOfExperts.Deadlines.system());
            int[] bottom = bottom(a.text("bottom", ""), hidden);
            MoeClassifier model = new MoeClassifier(train.size(), bottom, classes, moe, lr, seed, 60_000);
            long start = System.nanoTime();
            long masked = 0;
            long chosen = 0;
            long failed = 0;
            long late = 0;
            int skipped = 0;
            int failedSteps = 0;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                int[] o = shuffled(mine.length, new SplittableRandom(seed * 31 + index * 1_000 + epoch));
                double lossSum = 0;
                int lossCount = 0;
                for (int b = 0; b + batch <= o.length; b += batch) {
                    int[] rows = new int[batch];
                    for (int i = 0; i < batch; i++) {
                        rows[i] = mine[o[b + i]];
                    }
                    MoeClassifier.Step s;
                    try {
                        s = model.train(features(train, rows), oneHot(trainLabels, rows, classes));
                        failedSteps = 0;
                    } catch (ExecutionException | TimeoutException e) {
                        // no expert answered (or none was found): this batch is skipped, many in a row end the run
                        skipped++;
                        if (++failedSteps >= 20) {
                            throw new IllegalStateException(me + ": 20 steps in a row failed, the last: " + e.getMessage(), e);
                        }
                        System.out.printf(Locale.ROOT, "%s: a step failed and is skipped: %s%n", me, e.getMessage());
                        if (dht.node().knownPeers() == 0) {
                            dht.join(a.text("bootstrap", null)).get(10, TimeUnit.SECONDS);
                        }
                        continue;
                    }
                    masked += s.masked();
                    chosen += s.chosen();
                    failed += s.expertsFailed();
                    late += s.expertsLate();
                    lossSum += s.loss();
                    lossCount++;
                    if (model.steps() % progress == 0) {
                        System.out.printf(Locale.ROOT, "%s: step %d (epoch %d), loss %.4f, masked %d of %d expert choices, %d backward calls "
                                + "failed, %d late, %.1f s%n", me, model.steps(), epoch, lossSum / lossCount, masked, chosen, failed, late,
                                seconds(start));
                        lossSum = 0;
                        lossCount = 0;
                    }
                }
            }
            double trainSeconds = seconds(start);
            double accuracy = testCount == 0 ? Double.NaN : accuracy(model, test, testLabels, testCount);
            System.out.printf(Locale.ROOT, "%s result: test accuracy %.4f on %d samples after %d steps (%d epochs of %d samples) in %.1f s; "
                    + "masked %d of %d expert choices, %d backward calls failed, %d late, %d steps skipped%n", me, accuracy, testCount,
                    model.steps(), epochs, mine.length, trainSeconds, masked, chosen, failed, late, skipped);
            if (a.has("result")) {
                Files.writeString(Path.of(a.text("result", null)), String.format(Locale.ROOT, "%.4f%n", accuracy), StandardCharsets.UTF_8);
            }
            if (a.has("save")) {
                save(Path.of(a.text("save", null)), train.size(), bottom, classes, grid, settings, model, dht, client, me);
            }
        } finally {
            dht.close();
        }
        return 0;
    }

    /** Writes the whole model: this trainer's layers and every expert whose server answers (the expert blocks' size from theirs). */
    private static void save(Path file, int inputs, int[] bottom, int classes, ExpertGrid grid, MixtureOfExperts.Settings settings,
            MoeClassifier model, UdpNode dht, ExpertClient client, String me) throws Exception {
        List<String> problems = new ArrayList<>();
        Map<ExpertUid, float[]> experts = ExpertsModelFile.collect(dht.node(), grid, client, 30_000, problems);
        problems.forEach(p -> System.out.printf(Locale.ROOT, "%s: not saved: %s%n", me, p));
        if (experts.isEmpty()) {
            throw new IllegalStateException(me + ": no expert answered, the model is not saved");
        }
        int expertHidden = ExpertsModelFile.expertHidden(bottom[bottom.length - 1], experts.values().iterator().next().length);
        ExpertsModelFile.write(file, new ExpertsModelFile.Shape(inputs, bottom, classes, grid, expertHidden, settings.k(), settings.kMin()), model,
                experts);
        System.out.printf(Locale.ROOT, "%s: saved the model to %s (%d of %d experts, %,d bytes)%n", me, file, experts.size(), grid.cells(),
                Files.size(file));
    }

    /** Polls the first-dimension prefixes until every cell has a host, or the time is up; returns how many cells were seen. */
    static int waitForExperts(UdpNode dht, String bootstrap, ExpertGrid grid, long millis) throws Exception {
        long end = System.currentTimeMillis() + millis;
        Set<String> seen = new HashSet<>();
        while (true) {
            if (dht.node().knownPeers() == 0) {
                dht.join(bootstrap).get(10, TimeUnit.SECONDS); // every peer timed out once (a loaded machine): start again
            }
            seen.clear();
            for (int i = 0; i < grid.size(0); i++) {
                String prefix = grid.prefix() + "." + i;
                Map<String, Stored> succ = dht.node().get(prefix).get(10, TimeUnit.SECONDS);
                succ.keySet().forEach(sub -> seen.add(prefix + "." + sub));
            }
            if (seen.size() >= grid.cells() || System.currentTimeMillis() > end) {
                return seen.size();
            }
            Thread.sleep(500); // the hosts are still announcing; a poll every half second is cheap
        }
    }

    private static double accuracy(MoeClassifier model, IdxFiles.Images test, int[] labels, int count) throws Exception {
        int right = 0;
        int step = 500;
        for (int b = 0; b < count; b += step) {
            int n = Math.min(step, count - b);
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = b + i;
            }
            INDArray predicted = null;
            for (int attempt = 1; predicted == null; attempt++) {
                try {
                    predicted = model.predict(features(test, rows)).argMax(1);
                } catch (ExecutionException e) {
                    if (attempt == 5) {
                        throw e;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                right += predicted.getInt(i) == labels[b + i] ? 1 : 0;
            }
        }
        return (double) right / count;
    }

    private static INDArray features(IdxFiles.Images images, int[] rows) {
        int size = images.size();
        float[] x = new float[rows.length * size];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(images.values(), rows[i] * size, x, i * size, size);
        }
        return Nd4j.createFromArray(x).reshape('c', rows.length, size);
    }

    private static INDArray oneHot(int[] labels, int[] rows, int classes) {
        float[] y = new float[rows.length * classes];
        for (int i = 0; i < rows.length; i++) {
            y[i * classes + labels[rows[i]]] = 1;
        }
        return Nd4j.createFromArray(y).reshape('c', rows.length, classes);
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** The dense layers before the mixture: {@code --bottom 256} gives 784 → 256 → hidden. */
    private static int[] bottom(String extra, int hidden) {
        String[] parts = extra.isBlank() ? new String[0] : extra.split(",");
        int[] sizes = new int[parts.length + 1];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("experts trainer: --bottom takes layer sizes like 256,192, not '" + extra + "'", e);
            }
        }
        sizes[parts.length] = hidden;
        return sizes;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
