package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 end to end: a real Keras 3 file (Lynn578's Fashion-MNIST CNN, a .keras archive) goes
 * through the coordinator product, is trained by two volunteers in trainer workers, and comes back
 * to the requestor as a .keras archive that holds exactly the coordinator's final parameters.
 */
class KerasGridTest {

    private static final Path ROOT = Path.of(System.getProperty("daig.root", "../.."));
    private static final Path CNN = ROOT.resolve("../shared/data/keras3/Lynn578__FASHION_MNIST__fashion_mnist_model.keras");
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void aKerasCnnTrainsOnTwoVolunteersAndComesBackAsKeras(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 products are not materialized: run ./mvnw verify on linux-x86_64");
        assumeTrue(TrainerPool.available(), "the trainer runtime is not built (" + TrainerPool.runtime() + "): run ./mvnw verify");
        assumeTrue(Files.isRegularFile(CNN), "../shared/data/keras3 is absent (" + CNN.toAbsolutePath() + ")");
        assumeTrue(Files.isDirectory(FASHION), "Debian's Fashion-MNIST is absent: apt-get install dataset-fashion-mnist");
        Path all = tmp.resolve("fashion");
        ProductProcess.daig(tmp, "data", "fashion-mnist", "--out", all.toString());
        // the CNN takes 28 x 28 x 1 images; 800 training rows and 1,000 test rows keep the test short
        Path trainX = Npy.reshapedRows(Npy.firstRows(all.resolve("train_x.npy"), 800, tmp.resolve("x800.npy")), "28, 28, 1",
                tmp.resolve("train_x.npy"));
        Path trainY = Npy.firstRows(all.resolve("train_y.npy"), 800, tmp.resolve("train_y.npy"));
        Path testX = Npy.reshapedRows(Npy.firstRows(all.resolve("test_x.npy"), 1000, tmp.resolve("t1000.npy")), "28, 28, 1",
                tmp.resolve("test_x.npy"));
        Path testY = Npy.firstRows(all.resolve("test_y.npy"), 1000, tmp.resolve("test_y.npy"));
        ByzantineGrid.Data data = new ByzantineGrid.Data(trainX, trainY, testX, testY, CNN);
        // 2 volunteers, 4 tasks, K = 2: two rounds; no spot checks (they are the attack tests' subject)
        ByzantineGrid.Setup setup = new ByzantineGrid.Setup(2, 0, Attack.NONE, "mean", 4, 2, 1, 1, 32, 1);
        try (ByzantineGrid grid = new ByzantineGrid(tmp.resolve("grid"), data, 2, false)) {
            ByzantineGrid.Figures f = grid.run(setup, Duration.ofMinutes(8));
            assertEquals("COMPLETED", f.state());
            assertTrue(f.accuracy() > 0.7, "the trained CNN still classifies Fashion-MNIST: " + f.accuracy());

            byte[] downloaded = grid.download(f.projectId(), "model");
            assertTrue(downloaded.length > 4 && downloaded[0] == 'P' && downloaded[1] == 'K', "the default download of a .keras upload is a .keras");
            Path keras = Files.write(tmp.resolve("trained.keras"), downloaded);
            float[] expected = SimulatedProvider.readVector(grid.download(f.projectId(), "npy"));
            assertArrayEquals(expected, grid.params(keras), "the .keras holds the coordinator's final parameters");
            // a copy under another name: a worker keeps the file it loaded last, with the parameters last set on it
            Path original = Files.copy(CNN, tmp.resolve("original.keras"));
            assertFalse(java.util.Arrays.equals(expected, grid.params(original)), "the volunteers' training changed the weights");
        }
    }
}
