package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The Debian packages as an admin and a volunteer install them: releng/packages/install-test.sh
 * installs both in a fresh Debian root made by debootstrap (no Java in it), starts the coordinator
 * as its systemd unit would and asks /health, runs {@code daig} and a trainer worker on the bundled
 * runtime as an ordinary user, and purges the coordinator (docs/operations.md, "Installing from
 * the Debian package"). The script does the checks; this test runs it in the build, fails with
 * its reason and skips with its reason (exit 77: not root, no debootstrap, no Debian mirror).
 * It runs in a surefire execution of its own (debian-packages, this module's pom).
 */
class DebianPackagesTest {

    private static final Path ROOT = Path.of(System.getProperty("daig.root", "../.."));
    private static final Path PACKAGES = ROOT.resolve("product/target/packages");
    /** The first run makes the Debian root and downloads GTK; later runs take about a minute. */
    private static final long TIMEOUT_MINUTES = 12;
    private static final int SKIPPED = 77;

    @Test
    void bothPackagesInstallInAFreshDebianAndRunOnTheirOwnRuntime() throws IOException, InterruptedException {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "the Debian packages are made on Linux only");
        assumeFalse(Boolean.getBoolean("daig.packages.skip"), "-Ddaig.packages.skip=true: no packages were made");
        Path script = ROOT.resolve("releng/packages/install-test.sh");
        Path log = Path.of("target/deb-install-test.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder("bash", script.toString(), PACKAGES.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!ended) {
            // the script's namespaces end with it: no mount and no coordinator outlive it
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
        List<String> lines = Files.readAllLines(log);
        lines.forEach(System.out::println);
        assertTrue(ended, "install-test.sh did not end within " + TIMEOUT_MINUTES + " min; its output is in " + log);
        if (process.exitValue() == SKIPPED) {
            abort(lines.stream().filter(line -> line.contains("SKIPPED")).findFirst().orElse("install-test.sh skipped"));
        }
        String tail = lines.stream().skip(Math.max(0, lines.size() - 30)).collect(Collectors.joining("\n"));
        assertEquals(0, process.exitValue(), "install-test.sh failed (whole output in " + log + "):\n" + tail);
        assertTrue(lines.stream().anyMatch(line -> line.matches("install-test: /health answered after \\d+ s: .*\"UP\".*")),
                "the coordinator's /health was never seen UP:\n" + tail);
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("install-test: PASSED")), tail);
    }
}
