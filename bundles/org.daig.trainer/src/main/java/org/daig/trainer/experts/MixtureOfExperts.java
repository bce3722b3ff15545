package org.daig.trainer.experts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.daig.experts.Expert;
import org.daig.experts.ExpertConnector;
import org.daig.experts.ExpertGrid;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.gate.BeamSearch;
import org.daig.experts.gate.BeamSearch.Candidate;
import org.daig.experts.gate.NegativeCache;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A mixture-of-experts layer whose experts may be anywhere (issue 18), after hivemind's
 * RemoteMixtureOfExperts: the {@link Gate} scores the grid's dimensions for each sample, the
 * {@link BeamSearch} picks up to {@code k} live experts per sample, and the layer calls each chosen
 * expert once with the rows routed to it, all in parallel. It waits until every sample has {@code kMin}
 * answers (or as many as it has experts), then at most {@code timeoutAfterKMin} for stragglers, and
 * never longer than {@code forwardTimeout} in all. Experts that did not answer are masked before the
 * softmax over the chosen experts' scores, so the weights of each sample's answers sum to 1 and a
 * masked expert gets no gradient. The output is the weighted sum of the answers.
 *
 * <p>Backward: dLoss/dScores through the softmax goes to the gate (which steps its own Adam); each
 * expert that answered gets a backward call with its weighted share of dLoss/dOutput and steps itself;
 * dLoss/dInputs is the gate's part plus the experts' answers. Experts whose backward fails are left out
 * (their parameters are just not updated); the step goes on. Calls that fail, forward or backward, mark
 * the expert in the negative cache, so the search skips it for a while; stragglers cut off by a timeout
 * are only masked (a slow expert is not a dead one; the remote call owns its own per-call timeout and
 * fails the call when it passes).
 */
public final class MixtureOfExperts {

    /**
     * {@code k} experts per sample; {@code kMin} answers per sample to wait for; then at most
     * {@code timeoutAfterKMinMillis} for the rest; {@code forwardTimeoutMillis} and
     * {@code backwardTimeoutMillis} bound a whole pass (search included).
     */
    public record Settings(int k, int kMin, long forwardTimeoutMillis, long timeoutAfterKMinMillis, long backwardTimeoutMillis) {
        public Settings {
            if (k < 1) {
                throw new IllegalArgumentException("mixture of experts: k (experts per sample) must be >= 1, not " + k);
            }
            if (kMin < 1 || kMin > k) {
                throw new IllegalArgumentException("mixture of experts: k_min must be 1.." + k + " (k), not " + kMin);
            }
            if (forwardTimeoutMillis < 1 || backwardTimeoutMillis < 1 || timeoutAfterKMinMillis < 0) {
                throw new IllegalArgumentException("mixture of experts: forward and backward timeouts must be >= 1 ms and "
                        + "timeout_after_k_min >= 0 ms, not " + forwardTimeoutMillis + ", " + backwardTimeoutMillis + ", "
                        + timeoutAfterKMinMillis);
            }
        }
    }

    /** When the layer's timeouts fall: the system clock in use, a hand-driven one in tests. */
    @FunctionalInterface
    public interface Deadlines {

        /** A future that completes {@code millis} from now. */
        CompletableFuture<Void> after(long millis);

        static Deadlines system() {
            return millis -> CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
        }
    }

    /** What a backward pass did; {@code gateGradient} is the gate's parameter gradient (before its step). */
    public record Backward(INDArray gradInputs, INDArray gateGradient, int expertsUpdated, int expertsFailed, int expertsLate) {
    }

    /** One call to one expert in a pass: the rows (samples) routed to it and what it answered. */
    private static final class Call {
        final ExpertUid uid;
        final Expert expert;
        final List<Integer> samples = new ArrayList<>();
        Tensor inputs;
        Tensor output; // set only when it answered in time

        Call(ExpertUid uid, Expert expert) {
            this.uid = uid;
            this.expert = expert;
        }
    }

    /** A forward pass: its output, which experts answered with which weight, and what backward needs. */
    public static final class Pass {
        private final INDArray x;
        private final double[][] scores;
        private final List<List<Candidate>> chosen;
        private final int[][] callOf;
        private final int[][] rowOf;
        private final List<Call> calls;
        private final double[][] weights;
        private final INDArray output;

        private Pass(INDArray x, double[][] scores, List<List<Candidate>> chosen, int[][] callOf, int[][] rowOf, List<Call> calls,
                double[][] weights, INDArray output) {
            this.x = x;
            this.scores = scores;
            this.chosen = chosen;
            this.callOf = callOf;
            this.rowOf = rowOf;
            this.calls = calls;
            this.weights = weights;
            this.output = output;
        }

        /** [batch, outputs], in the gate's data type. */
        public INDArray output() {
            return output;
        }

        public int batch() {
            return chosen.size();
        }

        /** How many experts the search chose for the sample (up to k). */
        public int chosen(int sample) {
            return chosen.get(sample).size();
        }

        public ExpertUid expert(int sample, int j) {
            return chosen.get(sample).get(j).uid();
        }

        public boolean answered(int sample, int j) {
            return calls.get(callOf[sample][j]).output != null;
        }

        /** The softmax weight of the sample's j-th chosen expert; 0 for one that did not answer. */
        public double weight(int sample, int j) {
            return weights[sample][j];
        }

        /** How many expert calls the pass made (one per distinct chosen expert). */
        public int calls() {
            return calls.size();
        }
    }

    private final Gate gate;
    private final BeamSearch search;
    private final NegativeCache dead;
    private final ExpertConnector connector;
    private final int outputs;
    private final Settings settings;
    private final Deadlines deadlines;

    /** The search must run over the gate's grid; every expert maps [batch, gate inputs] to [batch, outputs]. */
    public MixtureOfExperts(Gate gate, BeamSearch search, NegativeCache dead, ExpertConnector connector, int outputs, Settings settings,
            Deadlines deadlines) {
        if (outputs < 1) {
            throw new IllegalArgumentException("mixture of experts: outputs must be >= 1, not " + outputs);
        }
        this.gate = gate;
        this.search = search;
        this.dead = dead;
        this.connector = connector;
        this.outputs = outputs;
        this.settings = settings;
        this.deadlines = deadlines;
    }

    public Gate gate() {
        return gate;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The forward pass over inputs [batch, inputs]. Completes exceptionally with an IllegalStateException
     * when no chosen expert answered at all (or none was found); a sample none of whose experts answered
     * gets zeros.
     */
    public CompletableFuture<Pass> forward(INDArray input) {
        INDArray x = input.castTo(gate.dataType());
        double[][] scores = rows(gate.scores(x));
        CompletableFuture<Void> deadline = deadlines.after(settings.forwardTimeoutMillis());
        List<CompletableFuture<List<Candidate>>> searches = new ArrayList<>();
        for (double[] row : scores) {
            searches.add(search.find(gridScores(row), settings.k()));
        }
        CompletableFuture<Void> searched = new CompletableFuture<>();
        CompletableFuture.allOf(searches.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
            if (e != null) {
                searched.completeExceptionally(e);
            } else {
                searched.complete(null);
            }
        });
        deadline.thenRun(() -> searched.completeExceptionally(new TimeoutException("mixture of experts: the search for experts took "
                + "longer than the forward timeout (" + settings.forwardTimeoutMillis() + " ms)")));
        return searched.thenCompose(v -> {
            List<List<Candidate>> chosen = new ArrayList<>();
            searches.forEach(s -> chosen.add(s.join()));
            return callExperts(x, scores, chosen, deadline);
        });
    }

    private CompletableFuture<Pass> callExperts(INDArray x, double[][] scores, List<List<Candidate>> chosen, CompletableFuture<Void> deadline) {
        int batch = chosen.size();
        Map<String, Integer> byExpert = new LinkedHashMap<>();
        List<Call> calls = new ArrayList<>();
        int[][] callOf = new int[batch][];
        int[][] rowOf = new int[batch][];
        int[] need = new int[batch];
        for (int b = 0; b < batch; b++) {
            List<Candidate> mine = chosen.get(b);
            callOf[b] = new int[mine.size()];
            rowOf[b] = new int[mine.size()];
            need[b] = Math.min(settings.kMin(), mine.size());
            for (int j = 0; j < mine.size(); j++) {
                Candidate c = mine.get(j);
                int index = byExpert.computeIfAbsent(c.uid() + " " + c.address(), key -> {
                    calls.add(new Call(c.uid(), connector.connect(c.uid(), c.address())));
                    return calls.size() - 1;
                });
                Call call = calls.get(index);
                callOf[b][j] = index;
                rowOf[b][j] = call.samples.size();
                call.samples.add(b);
            }
        }
        int inputs = gate.inputs();
        float[] xs = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (Call call : calls) {
            float[] rows = new float[call.samples.size() * inputs];
            for (int r = 0; r < call.samples.size(); r++) {
                System.arraycopy(xs, call.samples.get(r) * inputs, rows, r * inputs, inputs);
            }
            call.inputs = new Tensor(new int[] {call.samples.size(), inputs}, rows);
        }
        Collector collector = new Collector(calls, need);
        deadline.thenRun(collector::finish);
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            CompletableFuture<Tensor> f = safely(() -> call.expert.forward(call.inputs));
            collector.register(f);
            int index = i;
            f.whenComplete((out, error) -> collector.completed(index, out, error));
        }
        collector.startIfEmpty();
        return collector.finished.thenApply(v -> assemble(x, scores, chosen, callOf, rowOf, calls));
    }

    /** Gathers a forward pass's answers until every sample has k_min (then the grace time), or the deadline. */
    private final class Collector {
        private final List<Call> calls;
        private final int[] missing;
        private final List<CompletableFuture<Tensor>> futures = new ArrayList<>();
        private int samplesBelowKMin;
        private int outstanding;
        private boolean graceStarted;
        private boolean done;
        final CompletableFuture<Void> finished = new CompletableFuture<>();

        Collector(List<Call> calls, int[] need) {
            this.calls = calls;
            this.missing = need.clone();
            outstanding = calls.size();
            for (int n : need) {
                samplesBelowKMin += n > 0 ? 1 : 0;
            }
        }

        synchronized void register(CompletableFuture<Tensor> f) {
            if (done) {
                f.cancel(false);
            } else {
                futures.add(f);
            }
        }

        void startIfEmpty() {
            if (calls.isEmpty()) {
                finish();
            }
        }

        void completed(int index, Tensor out, Throwable error) {
            boolean startGrace = false;
            boolean all;
            synchronized (this) {
                if (done) {
                    return; // late: the pass has been assembled without it
                }
                outstanding--;
                Call call = calls.get(index);
                if (error != null || !fits(out, call.samples.size(), outputs)) {
                    dead.markDead(call.uid.toString());
                } else {
                    call.output = out;
                    for (int b : call.samples) {
                        if (missing[b] > 0 && --missing[b] == 0) {
                            samplesBelowKMin--;
                        }
                    }
                    if (samplesBelowKMin == 0 && !graceStarted) {
                        graceStarted = startGrace = true;
                    }
                }
                all = outstanding == 0;
            }
            if (all) {
                finish();
            } else if (startGrace) {
                deadlines.after(settings.timeoutAfterKMinMillis()).thenRun(this::finish);
            }
        }

        void finish() {
            List<CompletableFuture<Tensor>> stragglers;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                stragglers = new ArrayList<>(futures);
            }
            stragglers.forEach(f -> f.cancel(false)); // tells a remote call it may stop; done ones ignore it
            finished.complete(null);
        }
    }

    private Pass assemble(INDArray x, double[][] scores, List<List<Candidate>> chosen, int[][] callOf, int[][] rowOf, List<Call> calls) {
        if (calls.stream().noneMatch(c -> c.output != null)) {
            throw new IllegalStateException("mixture of experts: none of the " + calls.size() + " chosen experts answered within "
                    + settings.forwardTimeoutMillis() + " ms" + (calls.isEmpty() ? " (the search found no live expert)" : ""));
        }
        int batch = chosen.size();
        double[][] weights = new double[batch][];
        double[] out = new double[batch * outputs];
        for (int b = 0; b < batch; b++) {
            List<Candidate> mine = chosen.get(b);
            weights[b] = new double[mine.size()];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < mine.size(); j++) {
                if (calls.get(callOf[b][j]).output != null) {
                    weights[b][j] = score(scores[b], mine.get(j).uid());
                    max = Math.max(max, weights[b][j]);
                }
            }
            double sum = 0;
            for (int j = 0; j < mine.size(); j++) {
                // masked before the softmax: an expert that did not answer has weight 0, not a share
                weights[b][j] = calls.get(callOf[b][j]).output != null ? Math.exp(weights[b][j] - max) : 0;
                sum += weights[b][j];
            }
            for (int j = 0; j < mine.size(); j++) {
                if (weights[b][j] == 0) {
                    continue;
                }
                weights[b][j] /= sum;
                float[] o = calls.get(callOf[b][j]).output.data();
                int r = rowOf[b][j] * outputs;
                for (int q = 0; q < outputs; q++) {
                    out[b * outputs + q] += weights[b][j] * o[r + q];
                }
            }
        }
        INDArray output = Nd4j.createFromArray(out).reshape('c', batch, outputs).castTo(gate.dataType());
        return new Pass(x, scores, chosen, callOf, rowOf, calls, weights, output);
    }

    /**
     * The backward pass for dLoss/dOutput [batch, outputs]: steps the gate and every expert that answered
     * (experts whose backward call fails or is late are left out), and completes with dLoss/dInputs.
     */
    public CompletableFuture<Backward> backward(Pass pass, INDArray gradOutput) {
        return backward(pass, gradOutput, true);
    }

    /** With {@code stepGate} false the gate keeps its parameters (the gradient check); experts do what their backward does. */
    CompletableFuture<Backward> backward(Pass pass, INDArray gradOutput, boolean stepGate) {
        int batch = pass.batch();
        if (gradOutput.rank() != 2 || gradOutput.size(0) != batch || gradOutput.size(1) != outputs) {
            throw new IllegalArgumentException("mixture of experts: output gradients have shape " + Arrays.toString(gradOutput.shape())
                    + ", expected [" + batch + ", " + outputs + "]");
        }
        double[] g = gradOutput.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int width = pass.scores[0].length;
        double[] gradScores = new double[batch * width];
        Map<Call, float[]> gradOut = new LinkedHashMap<>();
        for (Call call : pass.calls) {
            if (call.output != null) {
                gradOut.put(call, new float[call.samples.size() * outputs]);
            }
        }
        ExpertGrid grid = gate.grid();
        for (int b = 0; b < batch; b++) {
            int k = pass.chosen(b);
            double[] dot = new double[k];
            double mean = 0; // the weighted mean of dLoss/dWeight, for the softmax's Jacobian
            for (int j = 0; j < k; j++) {
                Call call = pass.calls.get(pass.callOf[b][j]);
                if (call.output == null) {
                    continue;
                }
                float[] o = call.output.data();
                float[] share = gradOut.get(call);
                int r = pass.rowOf[b][j] * outputs;
                for (int q = 0; q < outputs; q++) {
                    dot[j] += g[b * outputs + q] * o[r + q];
                    share[r + q] = (float) (pass.weights[b][j] * g[b * outputs + q]);
                }
                mean += pass.weights[b][j] * dot[j];
            }
            for (int j = 0; j < k; j++) {
                double dScore = pass.weights[b][j] * (dot[j] - mean); // 0 for a masked expert
                ExpertUid uid = pass.expert(b, j);
                for (int d = 0; d < grid.dimensions(); d++) {
                    gradScores[b * width + gate.offset(d) + uid.coordinate(d)] += dScore;
                }
            }
        }
        INDArray[] gateGrads = gate.backward(pass.x, Nd4j.createFromArray(gradScores).reshape('c', batch, width), stepGate);
        BackwardGather gather = new BackwardGather(batch * gate.inputs(), gradOut.size());
        deadlines.after(settings.backwardTimeoutMillis()).thenRun(gather::finish);
        gradOut.forEach((call, share) -> {
            CompletableFuture<Tensor> f = safely(() -> call.expert.backward(call.inputs, new Tensor(new int[] {call.samples.size(), outputs},
                    share)));
            gather.register(f);
            f.whenComplete((gradIn, error) -> gather.completed(call, gradIn, error));
        });
        if (gradOut.isEmpty()) {
            gather.finish();
        }
        return gather.finished.thenApply(dx -> {
            INDArray experts = Nd4j.createFromArray(dx).reshape('c', batch, gate.inputs());
            INDArray gradInputs = gateGrads[1].castTo(DataType.DOUBLE).addi(experts).castTo(gate.dataType());
            return new Backward(gradInputs, gateGrads[0], gather.updated, gather.failed, gradOut.size() - gather.updated - gather.failed);
        });
    }

    /** Gathers the experts' dLoss/dInputs until all answered or the backward deadline. */
    private final class BackwardGather {
        private final double[] dx;
        private final List<CompletableFuture<Tensor>> futures = new ArrayList<>();
        private int outstanding;
        private boolean done;
        int updated;
        int failed;
        final CompletableFuture<double[]> finished = new CompletableFuture<>();

        BackwardGather(int size, int calls) {
            dx = new double[size];
            outstanding = calls;
        }

        synchronized void register(CompletableFuture<Tensor> f) {
            if (done) {
                f.cancel(false);
            } else {
                futures.add(f);
            }
        }

        void completed(Call call, Tensor gradIn, Throwable error) {
            boolean all;
            synchronized (this) {
                if (done) {
                    return;
                }
                outstanding--;
                int inputs = gate.inputs();
                if (error != null || !fits(gradIn, call.samples.size(), inputs)) {
                    failed++;
                    dead.markDead(call.uid.toString());
                } else {
                    updated++;
                    float[] v = gradIn.data();
                    for (int r = 0; r < call.samples.size(); r++) {
                        int to = call.samples.get(r) * inputs;
                        for (int i = 0; i < inputs; i++) {
                            dx[to + i] += v[r * inputs + i];
                        }
                    }
                }
                all = outstanding == 0;
            }
            if (all) {
                finish();
            }
        }

        void finish() {
            List<CompletableFuture<Tensor>> late;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                late = new ArrayList<>(futures);
            }
            late.forEach(f -> f.cancel(false));
            finished.complete(dx);
        }
    }

    /** Starts a call; an expert that throws instead of failing its future counts as a failed call. */
    private static CompletableFuture<Tensor> safely(Supplier<CompletableFuture<Tensor>> start) {
        try {
            CompletableFuture<Tensor> f = start.get();
            return f != null ? f : CompletableFuture.failedFuture(new IllegalStateException("expert returned no future"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** An answer of shape [rows, columns] with finite values (one with NaN would poison the whole batch). */
    private static boolean fits(Tensor t, int rows, int columns) {
        if (t == null || t.rank() != 2 || t.dimension(0) != rows || t.dimension(1) != columns) {
            return false;
        }
        for (float v : t.data()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** An expert's score: the sum of its coordinates' scores. */
    private double score(double[] row, ExpertUid uid) {
        double s = 0;
        for (int d = 0; d < uid.dimensions(); d++) {
            s += row[gate.offset(d) + uid.coordinate(d)];
        }
        return s;
    }

    private float[][] gridScores(double[] row) {
        ExpertGrid grid = gate.grid();
        float[][] s = new float[grid.dimensions()][];
        for (int d = 0; d < s.length; d++) {
            s[d] = new float[grid.size(d)];
            for (int i = 0; i < s[d].length; i++) {
                s[d][i] = (float) row[gate.offset(d) + i];
            }
        }
        return s;
    }

    private static double[][] rows(INDArray a) {
        double[] flat = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int cols = (int) a.size(1);
        double[][] out = new double[(int) a.size(0)][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        }
        return out;
    }
}
