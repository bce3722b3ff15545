package org.daig.trainer.experts;

import static org.daig.trainer.experts.MoeFixtures.GRID;
import static org.daig.trainer.experts.MoeFixtures.array;
import static org.daig.trainer.experts.MoeFixtures.blocks;
import static org.daig.trainer.experts.MoeFixtures.gaussian;
import static org.daig.trainer.experts.MoeFixtures.layer;
import static org.daig.trainer.experts.MoeFixtures.negativeCache;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.daig.experts.Expert;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.gate.NegativeCache;
import org.daig.trainer.experts.MixtureOfExperts.Backward;
import org.daig.trainer.experts.MixtureOfExperts.Pass;
import org.daig.trainer.experts.MixtureOfExperts.Settings;
import org.daig.trainer.experts.MoeFixtures.FrozenExpert;
import org.daig.trainer.experts.MoeFixtures.ManualDeadlines;
import org.daig.trainer.experts.MoeFixtures.SilentExpert;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

class MixtureOfExpertsTest {

    private static final int IN = 5;
    private static final int OUT = 3;

    /** L = sum(y * r): its gradient with respect to the layer's output is r. */
    private static double loss(MixtureOfExperts moe, INDArray x, INDArray r) {
        return moe.forward(x).join().output().castTo(DataType.DOUBLE).mul(r).sumNumber().doubleValue();
    }

    @Test
    void gradientsOfTheWholeLayerMatchCentralDifferences() {
        Gate gate = new Gate(IN, GRID, 1e-3, 11, DataType.DOUBLE);
        Map<ExpertUid, FrozenExpert> frozen = new HashMap<>();
        blocks(IN, 8, OUT, 1e-3, 100).forEach((uid, block) -> frozen.put(uid, new FrozenExpert(block)));
        MixtureOfExperts moe = layer(gate, new HashMap<>(frozen), negativeCache(), OUT, new Settings(4, 4, 10_000, 0, 10_000),
                new ManualDeadlines());
        INDArray x = gaussian(1, DataType.DOUBLE, 6, IN);
        INDArray r = gaussian(2, DataType.DOUBLE, 6, OUT);
        Pass pass = moe.forward(x).join();
        for (int b = 0; b < pass.batch(); b++) {
            assertEquals(4, pass.chosen(b));
        }
        Backward grads = moe.backward(pass, r, false).join();
        assertEquals(0, gate.steps(), "the check's backward leaves the gate as it is");

        // the gate's parameters: the experts' answers do not depend on them, so this is exact in double precision
        INDArray params = gate.params();
        double worst = 0;
        double h = 1e-6;
        for (int i = 0; i < params.length(); i++) {
            double p = params.getDouble(i);
            params.putScalar(i, p + h);
            double up = loss(moe, x, r);
            params.putScalar(i, p - h);
            double down = loss(moe, x, r);
            params.putScalar(i, p);
            worst = Math.max(worst, error((up - down) / (2 * h), grads.gateGradient().getDouble(i)));
        }
        assertTrue(worst < 1e-6, "worst error of a gate parameter's gradient: " + worst);

        // the inputs reach the experts as float32 on the wire, so these differences are float32's
        INDArray numeric = Nd4j.zeros(DataType.DOUBLE, x.shape());
        double hx = 1e-3;
        for (int i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            x.putScalar(i, v + hx);
            double up = loss(moe, x, r);
            x.putScalar(i, v - hx);
            double down = loss(moe, x, r);
            x.putScalar(i, v);
            numeric.putScalar(i, (up - down) / (2 * hx));
        }
        double inputError = normError(numeric, grads.gradInputs());
        assertTrue(inputError < 5e-4, "relative error of the input gradient: " + inputError);

        // one expert's parameters, through the share of dL/dy the layer sent it
        FrozenExpert busiest = frozen.values().stream().filter(e -> e.lastInputs != null)
                .max((a, b) -> Integer.compare(a.lastInputs.dimension(0), b.lastInputs.dimension(0))).orElseThrow();
        INDArray analytic = busiest.block.gradients(array(busiest.lastInputs), array(busiest.lastGradOutputs))[0];
        INDArray expertParams = busiest.block.params();
        INDArray expertNumeric = Nd4j.zeros(DataType.DOUBLE, expertParams.length());
        float hp = 1e-3f;
        for (int i = 0; i < expertParams.length(); i++) {
            float p = expertParams.getFloat(i);
            expertParams.putScalar(i, p + hp);
            double up = loss(moe, x, r);
            expertParams.putScalar(i, p - hp);
            double down = loss(moe, x, r);
            expertParams.putScalar(i, p);
            expertNumeric.putScalar(i, (up - down) / (2 * hp));
        }
        double expertError = normError(expertNumeric, analytic.reshape(expertNumeric.shape()));
        assertTrue(expertError < 5e-4, "relative error of an expert's parameter gradient: " + expertError);
    }

    private static double error(double numeric, double analytic) {
        return Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic));
    }

    private static double normError(INDArray numeric, INDArray analytic) {
        INDArray a = analytic.castTo(DataType.DOUBLE);
        return numeric.sub(a).norm2Number().doubleValue() / (numeric.norm2Number().doubleValue() + a.norm2Number().doubleValue());
    }

    /** A layer over LocalExperts that answer in the caller's thread, with deadlines the test moves. */
    private record Setup(MixtureOfExperts moe, Map<ExpertUid, Expert> experts, NegativeCache dead, ManualDeadlines clock, Gate gate) {
    }

    private static Setup setup(Settings settings) {
        Map<ExpertUid, Expert> experts = new HashMap<>();
        blocks(IN, 8, OUT, 1e-2, 200).forEach((uid, block) -> experts.put(uid, new LocalExpert(block, Runnable::run)));
        NegativeCache dead = negativeCache();
        ManualDeadlines clock = new ManualDeadlines();
        Gate gate = new Gate(IN, GRID, 1e-2, 12);
        return new Setup(layer(gate, experts, dead, OUT, settings, clock), experts, dead, clock, gate);
    }

    private static void assertWeightsSumToOne(Pass pass) {
        for (int b = 0; b < pass.batch(); b++) {
            double sum = 0;
            for (int j = 0; j < pass.chosen(b); j++) {
                sum += pass.weight(b, j);
                assertEquals(pass.answered(b, j), pass.weight(b, j) > 0, "sample " + b + ", expert " + pass.expert(b, j));
            }
            assertEquals(1, sum, 1e-9, "weights of sample " + b);
        }
    }

    /** Replaces the first expert the layer chose for sample 0 with one that never answers; returns it. */
    private static ExpertUid silence(Setup s, INDArray x, SilentExpert silent) {
        Pass before = s.moe().forward(x).join();
        ExpertUid uid = before.expert(0, 0);
        s.experts().put(uid, silent);
        return uid;
    }

    @Test
    void anExpertThatNeverAnswersIsMaskedAfterTimeoutAfterKMin() {
        Setup s = setup(new Settings(4, 2, 10_000, 100, 10_000));
        INDArray x = gaussian(3, DataType.FLOAT, 8, IN);
        SilentExpert silent = new SilentExpert();
        ExpertUid slow = silence(s, x, silent);
        CompletableFuture<Pass> f = s.moe().forward(x);
        assertFalse(f.isDone(), "every sample has k_min answers, but the layer waits for the straggler a while");
        s.clock().advance(99);
        assertFalse(f.isDone());
        s.clock().advance(1);
        assertTrue(f.isDone(), "timeout_after_k_min has passed");
        Pass pass = f.join();
        assertEquals(slow, pass.expert(0, 0));
        assertFalse(pass.answered(0, 0));
        assertEquals(0, pass.weight(0, 0));
        assertWeightsSumToOne(pass);
        assertTrue(silent.forwards.get(0).isCancelled(), "the straggler's call is cancelled");
        assertFalse(s.dead().isDead(slow.toString()), "a straggler is slow, not dead: it stays in the search");
        assertTrue(Transforms.abs(pass.output()).sumNumber().doubleValue() > 0);

        Backward back = s.moe().backward(pass, Nd4j.ones(DataType.FLOAT, 8, OUT)).join();
        assertEquals(0, silent.backwards, "an expert that did not answer gets no gradient");
        assertEquals(pass.calls() - 1, back.expertsUpdated());
        assertEquals(0, back.expertsFailed());
    }

    @Test
    void withoutKMinAnswersTheForwardTimeoutEndsThePass() {
        Setup s = setup(new Settings(4, 4, 10_000, 100, 10_000));
        INDArray x = gaussian(3, DataType.FLOAT, 8, IN);
        SilentExpert silent = new SilentExpert();
        silence(s, x, silent);
        CompletableFuture<Pass> f = s.moe().forward(x);
        s.clock().advance(9_999);
        assertFalse(f.isDone(), "sample 0 cannot reach k_min = 4, so the grace time never starts");
        s.clock().advance(1);
        Pass pass = f.join();
        assertFalse(pass.answered(0, 0));
        assertWeightsSumToOne(pass);
    }

    @Test
    void noAnswerAtAllFailsThePassSayingSo() {
        Setup s = setup(new Settings(2, 1, 500, 100, 500));
        s.experts().replaceAll((uid, e) -> new SilentExpert());
        CompletableFuture<Pass> f = s.moe().forward(gaussian(3, DataType.FLOAT, 2, IN));
        s.clock().advance(500);
        Throwable e = assertThrows(Exception.class, f::join).getCause();
        assertTrue(e instanceof IllegalStateException && e.getMessage().contains("chosen experts answered within 500 ms"),
                String.valueOf(e));
    }

    @Test
    void anExpertFailingInBackwardDoesNotStopTheStep() {
        Setup s = setup(new Settings(4, 4, 10_000, 100, 10_000));
        INDArray x = gaussian(4, DataType.FLOAT, 8, IN);
        ExpertUid broken = s.moe().forward(x).join().expert(0, 0);
        LocalExpert real = (LocalExpert) s.experts().get(broken);
        s.experts().put(broken, new Expert() {
            @Override
            public CompletableFuture<Tensor> forward(Tensor inputs) {
                return real.forward(inputs);
            }

            @Override
            public CompletableFuture<Tensor> backward(Tensor inputs, Tensor gradOutputs) {
                return CompletableFuture.failedFuture(new IOException("connection reset"));
            }
        });
        Pass pass = s.moe().forward(x).join();
        assertWeightsSumToOne(pass);
        Backward back = s.moe().backward(pass, gaussian(5, DataType.FLOAT, 8, OUT)).join();
        assertEquals(1, back.expertsFailed());
        assertEquals(pass.calls() - 1, back.expertsUpdated());
        assertArrayEquals(new long[] {8, IN}, back.gradInputs().shape());
        assertTrue(Double.isFinite(back.gradInputs().sumNumber().doubleValue()));
        assertEquals(1, s.gate().steps(), "the gate stepped");
        assertEquals(0, real.block().steps(), "the broken expert did not");
        for (int j = 1; j < pass.chosen(0); j++) {
            assertEquals(1, ((LocalExpert) s.experts().get(pass.expert(0, j))).block().steps(), "expert " + pass.expert(0, j));
        }
        assertTrue(s.dead().isDead(broken.toString()), "a failed call marks the expert in the negative cache");
    }

    /** Trains a 2-class problem through the layer, full batch; returns the cross-entropy of each step. */
    private static List<Double> train(MixtureOfExperts moe, INDArray x, INDArray labels, int steps, List<Pass> passes) {
        List<Double> losses = new ArrayList<>();
        long n = x.size(0);
        for (int step = 0; step < steps; step++) {
            Pass pass = moe.forward(x).join();
            passes.add(pass);
            INDArray p = Transforms.softmax(pass.output().castTo(DataType.DOUBLE), true);
            losses.add(-Transforms.log(p, true).mul(labels).sumNumber().doubleValue() / n);
            moe.backward(pass, p.sub(labels).div(n)).join();
        }
        return losses;
    }

    private static INDArray[] twoClassProblem() {
        INDArray x = gaussian(7, DataType.FLOAT, 64, 6);
        INDArray teacher = gaussian(8, DataType.FLOAT, 6, 1);
        INDArray positive = x.mmul(teacher).gt(0).castTo(DataType.DOUBLE);
        INDArray labels = Nd4j.hstack(positive, positive.rsub(1));
        return new INDArray[] {x, labels};
    }

    @Test
    void trainingThroughTheLayerLowersTheLossAlsoWithADeadExpert() {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            INDArray[] data = twoClassProblem();
            for (boolean withDead : new boolean[] {false, true}) {
                Gate gate = new Gate(6, GRID, 0.02, 13);
                Map<ExpertUid, Expert> experts = new HashMap<>();
                blocks(6, 16, 2, 0.01, 300).forEach((uid, block) -> experts.put(uid, new LocalExpert(block, pool)));
                // the expert the gate ranks first for sample 0 (on a full grid, the best cell of each dimension)
                INDArray s0 = gate.scores(data[0]).getRow(0);
                ExpertUid best = ExpertUid.of("ffn", s0.get(NDArrayIndex.interval(0, 4)).argMax().getInt(0),
                        s0.get(NDArrayIndex.interval(4, 8)).argMax().getInt(0));
                if (withDead) {
                    experts.put(best, new Expert() {
                        @Override
                        public CompletableFuture<Tensor> forward(Tensor inputs) {
                            return CompletableFuture.failedFuture(new ConnectException("connection refused"));
                        }

                        @Override
                        public CompletableFuture<Tensor> backward(Tensor inputs, Tensor gradOutputs) {
                            return CompletableFuture.failedFuture(new ConnectException("connection refused"));
                        }
                    });
                }
                NegativeCache dead = negativeCache();
                MixtureOfExperts moe = layer(gate, experts, dead, 2, new Settings(4, 2, 30_000, 1_000, 30_000),
                        MixtureOfExperts.Deadlines.system());
                List<Pass> passes = new ArrayList<>();
                List<Double> losses = train(moe, data[0], data[1], 60, passes);
                double first = losses.get(0);
                double last = losses.get(losses.size() - 1);
                assertTrue(last < first / 10, (withDead ? "with a dead expert: " : "") + "loss went from " + first + " to " + last);
                assertEquals(best, passes.get(0).expert(0, 0));
                assertEquals(!withDead, passes.get(0).answered(0, 0));
                assertWeightsSumToOne(passes.get(0));
                if (withDead) {
                    assertTrue(dead.isDead(best.toString()));
                    Pass lastPass = passes.get(passes.size() - 1);
                    for (int b = 0; b < lastPass.batch(); b++) {
                        for (int j = 0; j < lastPass.chosen(b); j++) {
                            assertFalse(best.equals(lastPass.expert(b, j)), "the search skips the expert the negative cache holds");
                        }
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badSettingsAreRefusedSayingWhich() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Settings(4, 5, 1000, 100, 1000));
        assertEquals("mixture of experts: k_min must be 1..4 (k), not 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Settings(0, 1, 1000, 100, 1000));
        assertThrows(IllegalArgumentException.class, () -> new Settings(4, 1, 0, 100, 1000));
        assertThrows(IllegalArgumentException.class, () -> new Settings(4, 1, 1000, -1, 1000));
    }
}
