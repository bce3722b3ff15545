package org.daig.trainer.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.daig.trainer.SharedData;
import org.daig.trainer.TrainerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A .keras upload is a stranger's zip: bombs, junk and mismatched parts are refused with one line
 * naming the file and the fix, and nothing is left behind in the temporary directory.
 */
class KerasArchiveBadInputTest {

    private static final String CHURN = "keras3/404error-010__ANN-Churn-Classification__model.keras";

    @TempDir
    Path dir;

    @Test
    void aConfigThatInflatesPastTheCapIsRefused() throws IOException {
        Path bomb = zip("bomb.keras", Map.of("config.json", " ".repeat(17 << 20).getBytes(StandardCharsets.US_ASCII)));
        assertTrue(Files.size(bomb) < 1 << 20, "the archive itself is small");
        assertRefused(bomb, "config.json inflates to more than");
    }

    @Test
    void weightsThatInflatePastTheCapAreRefusedAndNotLeftOnDisk() throws IOException {
        Path temp = Files.createDirectory(dir.resolve("temp"));
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("config.json", "{}".getBytes(StandardCharsets.UTF_8));
        parts.put("model.weights.h5", new byte[2 << 20]);
        Path bomb = zip("weights.keras", parts);
        TrainerException e = assertThrows(TrainerException.class,
                () -> KerasArchive.open(bomb, temp, new KerasArchive.Limits(8, 1 << 16, 1 << 20)));
        assertTrue(e.getMessage().contains("model.weights.h5 inflates to more than"), e.getMessage());
        try (var left = Files.list(temp)) {
            assertFalse(left.findAny().isPresent(), "the partly extracted weights are deleted");
        }
    }

    @Test
    void tooManyEntriesAreRefused() throws IOException {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            parts.put("assets/" + i, new byte[1]);
        }
        assertRefused(zip("many.keras", parts), "300 entries");
    }

    @Test
    void aZipThatIsNotAKerasArchiveIsRefused() throws IOException {
        assertRefused(zip("photos.keras", Map.of("cat.jpg", new byte[10])), "without config.json", "model.save('model.keras')");
    }

    @Test
    void configThatIsNotJsonIsRefused() throws IOException {
        assertRefused(withConfig("junk.keras", "{not json"), "config.json is not valid JSON");
    }

    @Test
    void anUnknownLayerIsNamed() throws IOException {
        String config = entry(SharedData.file(CHURN), "config.json").replace("\"class_name\": \"Dense\"", "\"class_name\": \"MultiHeadAttention\"");
        assertRefused(withConfig("attention.keras", config), "is a MultiHeadAttention", "supported:");
    }

    @Test
    void weightsOfAnotherModelAreRefused() throws IOException {
        Path iris = SharedData.file("keras3/Asmaaelkashef__Iris_model__iris_model.keras");
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("config.json", entry(SharedData.file(CHURN), "config.json").getBytes(StandardCharsets.UTF_8));
        try (ZipFile zip = new ZipFile(iris.toFile()); InputStream in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
            parts.put("model.weights.h5", in.readAllBytes());
        }
        assertRefused(zip("mixed.keras", parts), "mixed.keras");
    }

    @Test
    void aKerasFileRoundTripsThroughThisTestsZipWriter() throws Exception {
        // the control for the tests above: an archive rebuilt from a real file's parts imports
        Path real = SharedData.file(CHURN);
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (String name : new String[] { "metadata.json", "config.json", "model.weights.h5" }) {
            try (ZipFile zip = new ZipFile(real.toFile()); InputStream in = zip.getInputStream(zip.getEntry(name))) {
                parts.put(name, in.readAllBytes());
            }
        }
        Path copy = zip("copy.keras", parts);
        assertArrayEquals(TrainableModel.load(real).paramsCopy().toFloatVector(), TrainableModel.load(copy).paramsCopy().toFloatVector());
    }

    private Path withConfig(String name, String config) throws IOException {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("config.json", config.getBytes(StandardCharsets.UTF_8));
        try (ZipFile zip = new ZipFile(SharedData.file(CHURN).toFile());
             InputStream in = zip.getInputStream(zip.getEntry("model.weights.h5"))) {
            parts.put("model.weights.h5", in.readAllBytes());
        }
        return zip(name, parts);
    }

    private static String entry(Path file, String name) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile()); InputStream in = zip.getInputStream(zip.getEntry(name))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path zip(String name, Map<String, byte[]> parts) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> part : parts.entrySet()) {
                zip.putNextEntry(new ZipEntry(part.getKey()));
                zip.write(part.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    private static void assertRefused(Path file, String... fragments) {
        String message = assertThrows(TrainerException.class, () -> TrainableModel.load(file)).getMessage();
        assertTrue(message.startsWith(file.toString()), "names the file: " + message);
        assertFalse(message.contains("\n"), "one line: " + message);
        for (String f : fragments) {
            assertTrue(message.contains(f), "expected '" + f + "' in: " + message);
        }
    }
}
