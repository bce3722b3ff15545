package org.daig.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import picocli.AutoComplete;

/**
 * Writes daig's bash completion script, made from the command tree itself (run at build time:
 * the products ship it as etc/bash_completion.d/daig).
 */
public final class Completion {

    private Completion() {
    }

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args[0]);
        Context none = new Context(System.out, System.err, false, Map.of(), Path.of("worker"), Path.of("data"), () -> null,
                (context, arguments) -> 2);
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, AutoComplete.bash("daig", Daig.commandLine(none)), StandardCharsets.UTF_8);
    }
}
