package org.daig.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.daig.experts.ExpertUid;
import org.daig.trainer.data.NpyWriter;
import org.daig.trainer.experts.ExpertHosting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daig experts train} as the trainer runs it: a classifier on .npy data trained through the four
 * experts of a 2 × 2 grid that a host in this JVM serves, saved, and evaluated by {@code daig model
 * evaluate}; bad labels and a missing token are refused with what to do.
 */
class ExpertsCommandsTest {

    private static final String TOKEN = "token-of-the-experts-commands-test";

    @TempDir
    Path dir;

    /** Two classes: whether x0 + x1 > 0, six features, Gaussian. */
    private void write(String name, int rows, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * 6];
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = (float) (r.nextDouble() * 2 - 1);
            }
            y[i] = x[i * 6] + x[i * 6 + 1] > 0 ? 1 : 0;
        }
        NpyWriter.writeFloat32(dir.resolve(name + "_x.npy"), new long[] {rows, 6}, x);
        NpyWriter.writeInt64(dir.resolve(name + "_y.npy"), new long[] {rows}, y);
    }

    private static String[] args(String... a) {
        return a;
    }

    /** Runs the trainer's command line; returns its exit code, with stdout and stderr in {@code text}. */
    private static int run(StringBuilder text, String... a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        int code;
        try {
            System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = new TrainerCli(new PrintStream(out, true, StandardCharsets.UTF_8)).run(a);
        } finally {
            System.setErr(stderr);
        }
        text.append(out.toString(StandardCharsets.UTF_8));
        return code;
    }

    @Test
    void aModelTrainedThroughHostedExpertsIsSavedAndEvaluated() throws Exception {
        write("train", 400, 1);
        write("test", 200, 2);
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        List<ExpertUid> cells = List.of(ExpertUid.parse("ffn.0.0"), ExpertUid.parse("ffn.0.1"), ExpertUid.parse("ffn.1.0"),
                ExpertUid.parse("ffn.1.1"));
        try (ExpertHosting host = ExpertHosting.start(new ExpertHosting.Settings(cells, 8, 8, "momentum", 0.01, 18,
                TOKEN.getBytes(StandardCharsets.UTF_8), "127.0.0.1", 0, null, 0, null, 5_000, 512), new float[0])) {
            Path model = dir.resolve("model.zip");
            StringBuilder text = new StringBuilder();
            int code = run(text, args("experts", "train", "--x", dir.resolve("train_x.npy").toString(), "--y", dir.resolve("train_y.npy").toString(),
                    "--bootstrap", host.dhtAddress(), "--grid", "2x2", "--hidden", "8", "--k", "2", "--k-min", "1", "--epochs", "8",
                    "--batch", "20", "--lr", "0.01", "--trainers", "1", "--index", "0", "--save", model.toString(), "--token-file",
                    tokenFile.toString()));
            assertEquals(0, code, text.toString());
            assertTrue(host.server().served() > 0, "the experts were called");

            text.setLength(0);
            assertEquals(0, run(text, args("model", "evaluate", model.toString(), "--x", dir.resolve("test_x.npy").toString(), "--y",
                    dir.resolve("test_y.npy").toString())), text.toString());
            Matcher m = Pattern.compile("accuracy: ([0-9.]+)").matcher(text);
            assertTrue(m.find(), text.toString());
            assertTrue(Double.parseDouble(m.group(1)) >= 0.85, "a linear rule through the saved model: " + text);
        }
    }

    @Test
    void labelsForOtherSamplesAndAMissingOrOversizedTokenAreRefusedWithWhatToDo() throws Exception {
        write("train", 40, 1);
        write("other", 30, 2);
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
        StringBuilder text = new StringBuilder();
        assertEquals(1, run(text, args("experts", "train", "--x", dir.resolve("train_x.npy").toString(), "--y",
                dir.resolve("other_y.npy").toString(), "--bootstrap", "127.0.0.1:9", "--token-file", tokenFile.toString())));
        assertTrue(text.toString().contains("other_y.npy: 30 labels for 40 samples"), text.toString());
        text.setLength(0);
        assertEquals(1, run(text, args("experts", "train", "--x", dir.resolve("train_x.npy").toString(), "--y",
                dir.resolve("train_y.npy").toString(), "--bootstrap", "127.0.0.1:9", "--token-file", dir.resolve("none").toString())));
        assertTrue(text.toString().contains("cannot read --token-file"), text.toString());
        text.setLength(0);
        Path huge = Files.writeString(dir.resolve("huge-token"), "x".repeat(5_000));
        assertEquals(1, run(text, args("experts", "train", "--x", dir.resolve("train_x.npy").toString(), "--y",
                dir.resolve("train_y.npy").toString(), "--bootstrap", "127.0.0.1:9", "--token-file", huge.toString())));
        assertTrue(text.toString().contains("has more than 4096 bytes; it holds one token"), text.toString());
    }
}
