package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;

/**
 * A name, reason or path from the network cannot forge log lines: the products' shipped
 * logback.xml writes each event on one line, with CR/LF shown as {@code \n} and other control
 * characters (terminal escapes) as {@code ?}.
 */
class LogEscapingTest {

    @TempDir
    Path logs;

    @ParameterizedTest
    @ValueSource(strings = { "features/org.daig.coordinator.feature/rootfiles/config/logback.xml",
            "features/org.daig.desktop.feature/rootfiles/config/logback.xml" })
    void anUntrustedStringStaysOnItsOwnLine(String shipped) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // logback 1.5: a context made by hand has none, and every append would fail
        context.putProperty("daig.log.dir", logs.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Path.of(System.getProperty("daig.root", "../.."), shipped).toFile());
        Logger log = context.getLogger("org.daig.test");
        log.warn("Project {} refused", "cats\r\n00:00:00.000 ERROR Scheduler forged: all results lost\n\u001b[2J");
        context.stop();

        List<String> lines;
        try (var files = Files.list(logs)) {
            Path file = files.filter(f -> f.getFileName().toString().endsWith(".log")).findFirst().orElseThrow();
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        assertEquals(1, lines.size(), "one event, one line: " + lines);
        assertTrue(lines.get(0).contains("Project cats \\n 00:00:00.000 ERROR Scheduler forged: all results lost \\n ?[2J refused"), lines.get(0));
        assertFalse(lines.get(0).contains("\u001b"), "no terminal escape reaches the log");
    }
}
