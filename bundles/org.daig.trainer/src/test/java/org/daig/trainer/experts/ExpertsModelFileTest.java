package org.daig.trainer.experts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.experts.dht.LocalDirectory;
import org.daig.experts.gate.BeamSearch;
import org.daig.experts.gate.NegativeCache;
import org.daig.experts.net.ExpertClient;
import org.daig.experts.net.ExpertServer;
import org.daig.trainer.TrainerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole experts model in one file: a classifier trained over experts on two real expert servers
 * is saved with the experts' parameters fetched over the wire, and the file predicts what the trained
 * model predicts, on one machine; an expert whose host is gone is left out; damaged files are refused
 * with the entry named.
 */
class ExpertsModelFileTest {

    private static final byte[] TOKEN = "token-of-this-test".getBytes(StandardCharsets.UTF_8);
    private static final int INPUTS = 10;
    private static final int WIDTH = 6;
    private static final int EXPERT_HIDDEN = 8;
    private static final int CLASSES = 3;

    @TempDir
    Path dir;

    /** Two hosts (cells split by column), a classifier trained 5 steps through them; the caller closes what it gets. */
    private record Trained(ExpertServer left, ExpertServer right, ExpertClient client, LocalDirectory dht, MoeClassifier model,
            Map<ExpertUid, ExpertBlock> blocks) implements AutoCloseable {
        @Override
        public void close() {
            left.close();
            right.close();
            client.close();
        }
    }

    private static Trained trained() throws Exception {
        Map<ExpertUid, ExpertBlock> blocks = MoeFixtures.blocks(WIDTH, EXPERT_HIDDEN, WIDTH, 1e-2, 7);
        Map<ExpertUid, ExpertBlock> leftCells = new HashMap<>();
        Map<ExpertUid, ExpertBlock> rightCells = new HashMap<>();
        blocks.forEach((uid, b) -> (uid.coordinate(1) < 2 ? leftCells : rightCells).put(uid, b));
        ExpertServer left = new ExpertServer(leftCells, TOKEN, 256);
        ExpertServer right = new ExpertServer(rightCells, TOKEN, 256);
        ExpertClient client = new ExpertClient(TOKEN, 10_000, 10_000, 1 << 20);
        LocalDirectory dht = new LocalDirectory();
        ExpertAnnouncer.announce(dht, leftCells.keySet(), "127.0.0.1:" + left.start("127.0.0.1", 0)).join();
        ExpertAnnouncer.announce(dht, rightCells.keySet(), "127.0.0.1:" + right.start("127.0.0.1", 0)).join();
        NegativeCache dead = MoeFixtures.negativeCache();
        MixtureOfExperts moe = new MixtureOfExperts(new Gate(WIDTH, MoeFixtures.GRID, 1e-2, 3), new BeamSearch(dht, MoeFixtures.GRID, dead),
                dead, client, WIDTH, new MixtureOfExperts.Settings(4, 2, 20_000, 20_000, 20_000), MixtureOfExperts.Deadlines.system());
        MoeClassifier model = new MoeClassifier(INPUTS, new int[] {WIDTH}, CLASSES, moe, 1e-2, 11, 30_000);
        for (int step = 0; step < 5; step++) {
            model.train(MoeFixtures.gaussian(20 + step, DataType.FLOAT, 16, INPUTS), labels(16, step));
        }
        return new Trained(left, right, client, dht, model, blocks);
    }

    private static INDArray labels(int rows, int seed) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows, CLASSES);
        for (int r = 0; r < rows; r++) {
            y.putScalar(r, (r * 7 + seed) % CLASSES, 1);
        }
        return y;
    }

    private static ExpertsModelFile.Shape shape() {
        return new ExpertsModelFile.Shape(INPUTS, new int[] {WIDTH}, CLASSES, MoeFixtures.GRID, EXPERT_HIDDEN, 4, 2);
    }

    @Test
    void theSavedModelPredictsWhatTheTrainedModelPredicts() throws Exception {
        INDArray x = MoeFixtures.gaussian(99, DataType.FLOAT, 40, INPUTS);
        Path file = dir.resolve("model.zip");
        INDArray expected;
        Map<ExpertUid, ExpertBlock> blocks;
        try (Trained t = trained()) {
            List<String> problems = new ArrayList<>();
            Map<ExpertUid, float[]> experts = ExpertsModelFile.collect(t.dht(), MoeFixtures.GRID, t.client(), 10_000, problems);
            assertEquals(List.of(), problems);
            assertEquals(16, experts.size());
            experts.forEach((uid, p) -> assertArrayEquals(t.blocks().get(uid).parameters(), p, "what " + uid + "'s server holds"));
            ExpertsModelFile.write(file, shape(), t.model(), experts);
            expected = t.model().predict(x);
            blocks = t.blocks();
        }
        assertTrue(blocks.values().stream().anyMatch(b -> b.steps() > 0), "the experts were trained before they were saved");
        ExpertsModelFile.Loaded loaded = ExpertsModelFile.read(file);
        assertEquals(16, loaded.experts().size());
        INDArray predicted = loaded.predict(x);
        assertArrayEquals(expected.dup('c').data().asFloat(), predicted.dup('c').data().asFloat(), 1e-5f,
                "the file, run with every expert in this JVM, gives the trained model's probabilities");
        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertTrue(zip.getEntry("experts/ffn.3.3.npy") != null && zip.getEntry("gate.npy") != null, "numpy-readable entries");
        }
    }

    @Test
    void anExpertWhoseHostIsGoneIsLeftOutAndTheModelStillPredicts() throws Exception {
        Path file = dir.resolve("model.zip");
        try (Trained t = trained()) {
            t.right().close(); // the host of columns 2 and 3 died before the download
            List<String> problems = new ArrayList<>();
            Map<ExpertUid, float[]> experts = ExpertsModelFile.collect(t.dht(), MoeFixtures.GRID, t.client(), 10_000, problems);
            assertEquals(8, experts.size());
            assertEquals(8, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("expert ffn.0.2: "), problems.get(0));
            assertTrue(experts.keySet().stream().allMatch(uid -> uid.coordinate(1) < 2), experts.keySet().toString());
            ExpertsModelFile.write(file, shape(), t.model(), experts);
        }
        ExpertsModelFile.Loaded loaded = ExpertsModelFile.read(file);
        assertEquals(8, loaded.experts().size());
        INDArray p = loaded.predict(MoeFixtures.gaussian(5, DataType.FLOAT, 12, INPUTS));
        assertEquals(12, p.rows());
        for (int r = 0; r < 12; r++) {
            assertEquals(1, p.getRow(r).sumNumber().doubleValue(), 1e-5, "probabilities of sample " + r);
        }
    }

    @Test
    void damagedFilesAreRefusedNamingWhatIsWrong() throws Exception {
        Path file = dir.resolve("model.zip");
        try (Trained t = trained()) {
            Map<ExpertUid, float[]> experts = new LinkedHashMap<>();
            t.blocks().forEach((uid, b) -> experts.put(uid, b.parameters()));
            ExpertsModelFile.write(file, shape(), t.model(), experts);
        }
        // an expert's array replaced by a shorter one (the layers' before the mixture), the manifest unchanged
        Path shortExpert = rewrite(file, "experts/ffn.1.2.npy", dir.resolve("short.zip"), "bottom.npy");
        TrainerException e = assertThrows(TrainerException.class, () -> ExpertsModelFile.read(shortExpert));
        assertTrue(e.getMessage().contains("experts/ffn.1.2.npy has") && e.getMessage().contains(shortExpert.toString()), e.getMessage());

        Path newer = dir.resolve("newer.zip");
        try (ZipFile in = new ZipFile(file.toFile()); OutputStream os = Files.newOutputStream(newer); ZipOutputStream out = new ZipOutputStream(os)) {
            out.putNextEntry(new ZipEntry(ExpertsModelFile.MANIFEST));
            String manifest = new String(in.getInputStream(in.getEntry(ExpertsModelFile.MANIFEST)).readAllBytes(), StandardCharsets.UTF_8);
            out.write(manifest.replace("\"version\":1", "\"version\":2").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        e = assertThrows(TrainerException.class, () -> ExpertsModelFile.read(newer));
        assertTrue(e.getMessage().contains("is not format daig-experts version 1"), e.getMessage());

        Path notAZip = Files.writeString(dir.resolve("model.h5.zip"), "not a zip");
        assertFalse(ExpertsModelFile.isExpertsModel(notAZip), "anything else goes to the other model readers");
        assertTrue(ExpertsModelFile.isExpertsModel(file));
    }

    @Test
    void theExpertBlocksSizeFollowsFromItsParameterCount() {
        assertEquals(EXPERT_HIDDEN, ExpertsModelFile.expertHidden(WIDTH, shape().expertParameters()));
        assertThrows(IllegalArgumentException.class, () -> ExpertsModelFile.expertHidden(WIDTH, shape().expertParameters() + 1));
    }

    /** A copy of {@code file} in which entry {@code name} is replaced by entry {@code from}'s bytes (another length). */
    private static Path rewrite(Path file, String name, Path to, String from) throws Exception {
        try (ZipFile in = new ZipFile(file.toFile()); OutputStream os = Files.newOutputStream(to); ZipOutputStream out = new ZipOutputStream(os)) {
            for (var entries = in.entries(); entries.hasMoreElements();) {
                ZipEntry entry = entries.nextElement();
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(in.getInputStream(entry.getName().equals(name) ? in.getEntry(from) : entry).readAllBytes());
                out.closeEntry();
            }
        }
        return to;
    }
}
