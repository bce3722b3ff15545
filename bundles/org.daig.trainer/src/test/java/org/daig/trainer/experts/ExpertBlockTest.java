package org.daig.trainer.experts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.daig.experts.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class ExpertBlockTest {

    private static INDArray gaussian(long seed, DataType type, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(type, shape);
    }

    /** L = sum(forward(x) * r): its gradient with respect to the outputs is r. */
    private static double loss(ExpertBlock block, INDArray x, INDArray r) {
        return block.forward(x).mul(r).sumNumber().doubleValue();
    }

    @Test
    void backpropFromExternalErrorsMatchesNumericGradients() {
        ExpertBlock block = new ExpertBlock(5, 7, 3, 1e-3, 42, DataType.DOUBLE);
        INDArray x = gaussian(1, DataType.DOUBLE, 4, 5);
        INDArray r = gaussian(2, DataType.DOUBLE, 4, 3);
        INDArray[] g = block.gradients(x, r);
        INDArray params = block.params();
        assertEquals(5 * 7 + 7 + 7 * 3 + 3, params.length());
        double h = 1e-6;
        double worst = 0;
        for (int i = 0; i < params.length(); i++) {
            double p = params.getDouble(i);
            params.putScalar(i, p + h);
            double up = loss(block, x, r);
            params.putScalar(i, p - h);
            double down = loss(block, x, r);
            params.putScalar(i, p);
            worst = Math.max(worst, relativeError((up - down) / (2 * h), g[0].getDouble(i)));
        }
        assertTrue(worst < 1e-5, "worst relative error of a parameter gradient: " + worst);
        double worstInput = 0;
        for (int i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            x.putScalar(i, v + h);
            double up = loss(block, x, r);
            x.putScalar(i, v - h);
            double down = loss(block, x, r);
            x.putScalar(i, v);
            worstInput = Math.max(worstInput, relativeError((up - down) / (2 * h), g[1].getDouble(i)));
        }
        assertTrue(worstInput < 1e-5, "worst relative error of an input gradient: " + worstInput);
        assertArrayEquals(new long[] {4, 5}, g[1].shape());
    }

    private static double relativeError(double numeric, double analytic) {
        double scale = Math.max(1e-8, Math.abs(numeric) + Math.abs(analytic));
        return Math.abs(numeric - analytic) / scale;
    }

    @Test
    void anExpertTrainedOnlyThroughExternalErrorsLearns() {
        // a teacher the expert must imitate; the trainer's side computes the MSE and sends only dL/dy
        INDArray teacher = gaussian(3, DataType.FLOAT, 8, 4);
        INDArray x = gaussian(4, DataType.FLOAT, 64, 8);
        INDArray y = Transforms.tanh(x.mmul(teacher));
        ExpertBlock block = new ExpertBlock(8, 32, 4, 0.01, 7);
        double first = 0;
        double last = 0;
        for (int step = 0; step < 300; step++) {
            INDArray out = block.forward(x);
            INDArray diff = out.sub(y);
            double mse = diff.mul(diff).meanNumber().doubleValue();
            if (step == 0) {
                first = mse;
            }
            last = mse;
            INDArray gradOut = diff.mul(2.0 / diff.length());
            INDArray gradIn = block.backward(x, gradOut);
            assertArrayEquals(new long[] {64, 8}, gradIn.shape());
        }
        assertEquals(300, block.steps());
        assertTrue(last < first / 10, "MSE went from " + first + " to " + last);
    }

    @Test
    void wireTensorsAndCheckpointsGiveTheSameAnswers() {
        ExpertBlock block = new ExpertBlock(6, 10, 2, 0.01, 9);
        INDArray x = gaussian(5, DataType.FLOAT, 3, 6);
        Tensor xt = new Tensor(new int[] {3, 6}, x.dup('c').data().asFloat());
        Tensor out = block.forward(xt);
        assertArrayEquals(new int[] {3, 2}, out.shape());
        assertArrayEquals(block.forward(x).dup('c').data().asFloat(), out.data(), 0f);
        float[] before = block.parameters();
        Tensor gradIn = block.backward(xt, new Tensor(new int[] {3, 2}, new float[] {1, -1, 0.5f, 0, 2, 1}));
        assertArrayEquals(new int[] {3, 6}, gradIn.shape());
        assertFalse(Arrays.equals(before, block.parameters()), "a backward call takes an optimizer step");
        ExpertBlock restored = new ExpertBlock(6, 10, 2, 0.01, 1234);
        restored.setParameters(block.parameters());
        assertArrayEquals(block.forward(xt).data(), restored.forward(xt).data(), 0f);
    }

    @Test
    void wrongShapesAreRefusedSayingWhat() {
        ExpertBlock block = new ExpertBlock(6, 10, 2, 0.01, 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> block.forward(Nd4j.zeros(3, 5)));
        assertEquals("expert block: inputs have shape [3, 5], expected [batch, 6]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> block.backward(Nd4j.zeros(3, 6), Nd4j.zeros(2, 2)));
        assertEquals("expert block: output gradients have shape [2, 2], expected [3, 2]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> block.setParameters(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new ExpertBlock(6, 0, 2, 0.01, 1));
    }
}
