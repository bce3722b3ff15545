package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code DAIG_PREREQS_DRY_RUN=1 ./daig test} (the README's way to see what the tests need) reports
 * and stops: it must not go on to build. Maven's {@code --version} as the extra argument keeps a
 * launcher that did go on harmless here: the wrapper would only print Maven's version.
 */
class LauncherDryRunTest {

    private static final Path ROOT = Path.of(System.getProperty("daig.root", "../.."));

    @Test
    void theDryRunSaysWhatWouldRunAndRunsNothing() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "daig", "test", "--version").directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("DAIG_PREREQS_DRY_RUN", "1");
        Process daig = builder.start();
        String output = new String(daig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(daig.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, daig.exitValue(), output);
        assertTrue(output.contains("(dry run) nothing installed; would then run: ./mvnw -B clean verify --version"), output);
        assertFalse(output.contains("Apache Maven"), "the dry run started Maven: " + output);
    }
}
