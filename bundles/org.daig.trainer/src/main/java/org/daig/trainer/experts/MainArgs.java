package org.daig.trainer.experts;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The {@code --name value} options of the experts' mains; a bad or unknown option names itself. */
final class MainArgs {

    /** The environment variable that carries the shared token (not the command line: other users see that). */
    static final String TOKEN_VARIABLE = "DAIG_EXPERTS_TOKEN";
    /** A token file is read whole: it is refused past this size. */
    static final long MOST_SECRET_BYTES = 4096;

    private final String program;
    private final Map<String, String> values = new HashMap<>();

    MainArgs(String program, String[] args, Set<String> known) {
        this.program = program;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !known.contains(a.substring(2))) {
                throw new IllegalArgumentException(program + ": unknown option '" + a + "' (options: --" + String.join(", --", known) + ")");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(program + ": option " + a + " needs a value");
            }
            values.put(a.substring(2), args[++i]);
        }
    }

    String text(String name, String fallback) {
        String v = values.get(name);
        if (v == null && fallback == null) {
            throw new IllegalArgumentException(program + ": option --" + name + " is required");
        }
        return v != null ? v : fallback;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    int integer(String name, int fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(program + ": option --" + name + " must be an integer, not '" + v + "'", e);
        }
    }

    double number(String name, double fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(program + ": option --" + name + " must be a number, not '" + v + "'", e);
        }
    }

    /** The shared token from {@code --token-file} or else {@link #TOKEN_VARIABLE}; refuses to run without one. */
    byte[] token() {
        return secret("token-file", TOKEN_VARIABLE, "the experts' token");
    }

    /** A secret from the file named by option {@code fileOption} or else from {@code variable}; never from the command line. */
    byte[] secret(String fileOption, String variable, String what) {
        String t = System.getenv(variable);
        if (values.containsKey(fileOption)) {
            try {
                java.nio.file.Path file = java.nio.file.Path.of(values.get(fileOption));
                if (java.nio.file.Files.size(file) > MOST_SECRET_BYTES) {
                    throw new IllegalArgumentException(program + ": --" + fileOption + " " + file + " has more than " + MOST_SECRET_BYTES
                            + " bytes; it holds one token");
                }
                t = java.nio.file.Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(program + ": cannot read --" + fileOption + " " + values.get(fileOption) + ": "
                        + e.getMessage(), e);
            }
        }
        if (t == null || t.length() < 8) {
            throw new IllegalArgumentException(program + ": set " + variable + " (or --" + fileOption + ") to " + what + " (at least 8 characters)");
        }
        return t.getBytes(StandardCharsets.UTF_8);
    }
}
