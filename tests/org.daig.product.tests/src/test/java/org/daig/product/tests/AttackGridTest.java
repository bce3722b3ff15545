package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each attack of issue 13 against a real coordinator with its shipped settings, on digits: three
 * honest volunteers that train for real and one attacker. Every attack is refused or taken back
 * (spot checks replay new devices' results before their round closes), the attacker is banned,
 * and the model comes out exactly as the clean run's: the attack left no trace in it.
 */
class AttackGridTest {

    private static final Path DIGITS = Path.of(System.getProperty("daig.root", "../..")).resolve("../shared/data/digits");

    @Test
    void everyAttackIsRefusedItsSenderBannedAndTheModelIsTheCleanOne(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(ProductProcess.coordinatorHome().resolve("bin/daig-coordinator")),
                "The linux-x86_64 products are not materialized: run ./mvnw verify on linux-x86_64");
        assumeTrue(Files.isRegularFile(DIGITS.resolve("train_x.npy")), "../shared/data/digits is absent (" + DIGITS.toAbsolutePath() + ")");
        assumeTrue(TrainerPool.available(), "the trainer runtime is not built (" + TrainerPool.runtime() + "): run ./mvnw verify");
        Path model = tmp.resolve("mlp.h5");
        ProductProcess.daig(tmp, "model", "make-mlp", "--out", model.toString(), "--inputs", "64", "--outputs", "10", "--hidden", "32",
                "--seed", "1");
        ByzantineGrid.Data data = new ByzantineGrid.Data(DIGITS.resolve("train_x.npy"), DIGITS.resolve("train_y.npy"),
                DIGITS.resolve("test_x.npy"), DIGITS.resolve("test_y.npy"), model);
        ByzantineGrid.Setup setup = new ByzantineGrid.Setup(4, 0, Attack.NONE, "mean", 8, 4, 4, 4, 32, 1);
        try (ByzantineGrid grid = new ByzantineGrid(tmp.resolve("grid"), data, 2)) {
            ByzantineGrid.Figures clean = grid.run(setup, Duration.ofMinutes(5));
            System.out.println(clean.line(clean.accuracy(), clean.aggregationMs()));
            assertEquals("COMPLETED", clean.state());
            assertTrue(clean.accuracy() > 0.8, "the clean run learns digits: " + clean.accuracy());
            for (Attack attack : List.of(Attack.values()).subList(1, Attack.values().length)) {
                ByzantineGrid.Figures f = grid.run(setup.with(4, 1, attack, "mean"), Duration.ofMinutes(5));
                System.out.println(f.line(clean.accuracy(), clean.aggregationMs()));
                assertEquals("COMPLETED", f.state(), attack.label);
                assertTrue(f.maliciousSent() > 0, attack.label + ": the attacker took part");
                assertEquals(0, f.maliciousKept(), attack.label + ": no malicious result is among the project's results");
                assertEquals(1, f.banned(), attack.label + ": the attacker is banned");
                assertEquals(clean.accuracy(), f.accuracy(), 0.0, attack.label + ": the model is the clean run's, bit for bit");
            }
        }
    }
}
