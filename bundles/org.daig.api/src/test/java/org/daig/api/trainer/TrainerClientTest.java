package org.daig.api.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The typed calls must put on the wire exactly the fields the worker reads (docs/worker-protocol.md). */
class TrainerClientTest {

    private record Sent(String op, Map<String, ?> fields, float[] payload) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private Map<String, Object> answer = Map.of();
    private float[] answerPayload = new float[0];

    private final Worker worker = new StubWorker((op, fields, payload) -> {
        sent.add(new Sent(op, fields, payload));
        return new WorkerAnswer(answer, answerPayload);
    });

    private final TrainerClient trainer = new TrainerClient(worker);

    @Test
    void trainSendsTheShardTheSettingsAndTheStartingParametersAndReturnsTheDelta() throws Exception {
        answer = Map.of("samples", 100.0, "steps", 4.0, "loss", 0.5, "accuracy", 0.75, "seconds", 1.5);
        answerPayload = new float[] { 0.1f, -0.2f };
        float[] start = { 1f, 2f };

        TrainerClient.TrainResult result = trainer.train(new TrainerClient.TrainRequest(
                TrainerClient.DataFiles.all(Path.of("/s/x-0.npy"), Path.of("/s/y-0.npy")), 2, 32, 42), start);

        assertEquals(TrainerOps.TRAIN, sent.get(0).op());
        assertEquals(Map.of("x", "/s/x-0.npy", "y", "/s/y-0.npy", "epochs", 2, "batch", 32, "seed", 42L), sent.get(0).fields());
        assertSame(start, sent.get(0).payload());
        assertEquals(new TrainerClient.TrainResult(100, 4, 0.5, 0.75, 1.5, answerPayload).samples(), result.samples());
        assertEquals(4, result.steps());
        assertEquals(0.75, result.accuracy());
        assertArrayEquals(new float[] { 0.1f, -0.2f }, result.delta());
    }

    @Test
    void evaluateSendsARowRangeOnlyWhenOneIsGiven() throws Exception {
        answer = Map.of("loss", 0.25, "accuracy", 0.9, "samples", 10.0);

        TrainerClient.Evaluation all = trainer.evaluate(TrainerClient.DataFiles.all(Path.of("x.npy"), Path.of("y.npy")), null);
        trainer.evaluate(new TrainerClient.DataFiles(Path.of("x.npy"), Path.of("y.npy"), 5, 15), new float[] { 3f });

        assertEquals(new TrainerClient.Evaluation(0.25, 0.9, 10), all);
        assertEquals(Map.of("x", "x.npy", "y", "y.npy"), sent.get(0).fields());
        assertEquals(0, sent.get(0).payload().length, "no parameters: the loaded ones");
        assertEquals(Map.of("x", "x.npy", "y", "y.npy", "from", 5L, "to", 15L), sent.get(1).fields());
    }

    @Test
    void cutReadsTheRowsOfEveryShard() throws Exception {
        answer = Map.of("rows", List.of(3.0, 3.0, 2.0), "validationRows", 1.0);

        TrainerClient.ShardCut cut = trainer.cut(new TrainerClient.CutRequest(Path.of("x.npy"), Path.of("y.npy"), 3, 0.1, Path.of("/tmp/cut")));

        assertEquals(Map.of("x", "x.npy", "y", "y.npy", "shards", 3, "validationRate", 0.1, "dir", "/tmp/cut"), sent.get(0).fields());
        assertArrayEquals(new long[] { 3, 3, 2 }, cut.shardRows());
        assertEquals(1, cut.validationRows());
    }

    @Test
    void anUntrainableModelIsAnAnswerWithItsReason() throws Exception {
        answer = Map.of("trainable", false, "reason", "Keras 3 files are not supported", "backend", "CpuBackend");

        TrainerClient.ModelInspection inspection = trainer.inspect(Path.of("m.keras"));

        assertFalse(inspection.trainable());
        assertEquals("Keras 3 files are not supported", inspection.reason());
        assertNull(inspection.inputShape());

        answer = Map.of("trainable", true, "kerasVersion", "2.13.1", "modelClass", "Sequential", "loss", "mse", "optimizer", "Adam",
                "params", 650.0, "outputs", 10.0, "inputShape", List.of(-1.0, 64.0), "backend", "CpuBackend");
        TrainerClient.ModelInspection good = trainer.inspect(Path.of("m.h5"));
        assertTrue(good.trainable());
        assertEquals(650, good.params());
        assertArrayEquals(new long[] { -1, 64 }, good.inputShape());
    }

    @Test
    void exportNamesTheFormatByItsField() throws Exception {
        trainer.exportH5(Path.of("out.h5"));
        trainer.exportZip(Path.of("out.zip"));

        assertEquals(Map.of("h5", "out.h5"), sent.get(0).fields());
        assertEquals(Map.of("zip", "out.zip"), sent.get(1).fields());
        assertEquals(List.of(TrainerOps.EXPORT, TrainerOps.EXPORT), sent.stream().map(Sent::op).toList());
    }
}
