package org.daig.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import org.daig.requestor.AccountClient;
import org.daig.requestor.PrivateFiles;

/**
 * Where passwords come from: a file (its first line), $DAIG_PASSWORD, or the terminal without
 * echo. Never from an option's value, which other users of the machine could read in the process
 * list, and never printed.
 */
final class Passwords {

    static final String VARIABLE = "DAIG_PASSWORD";

    private Passwords() {
    }

    /** The password of an existing account: --password-file, else $DAIG_PASSWORD, else asked at the terminal. */
    static char[] existing(Context context, Path file, String question) throws CliFailure {
        if (file != null) {
            return fromFile(file);
        }
        String fromEnv = context.env(VARIABLE, null);
        if (fromEnv != null) {
            return fromEnv.toCharArray();
        }
        return ask(context, question, "use --password-file FILE or set $" + VARIABLE);
    }

    /** A new password: --password-file, else asked twice at the terminal. Checked against the grid's rules before it is sent. */
    static char[] chosen(Context context, Path file, String whose) throws CliFailure {
        char[] password = file != null ? fromFile(file) : null;
        if (password == null) {
            password = ask(context, "New password for " + whose + ": ", "use --password-file FILE");
            char[] again = ask(context, "Again: ", "use --password-file FILE");
            boolean same = Arrays.equals(password, again);
            Arrays.fill(again, '\0');
            if (!same) {
                Arrays.fill(password, '\0');
                throw new CliFailure("the two passwords differ; nothing was changed");
            }
        }
        try {
            AccountClient.requirePassword(password);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(e.getMessage() + "; nothing was changed");
        }
        return password;
    }

    /** A user name: the option's, else asked at the terminal. */
    static String user(Context context, String option) throws CliFailure {
        if (option != null) {
            return option;
        }
        if (context.prompt() == null) {
            throw new CliFailure("which account? give --user NAME (there is no terminal to ask)");
        }
        String answer = context.prompt().readLine("User: ");
        if (answer == null || answer.isBlank()) {
            throw new CliFailure("no user name given");
        }
        return answer.strip();
    }

    private static char[] fromFile(Path file) throws CliFailure {
        try {
            String line = PrivateFiles.firstLine(file);
            if (line.isEmpty()) {
                throw new CliFailure("--password-file: " + file + " is empty");
            }
            return line.toCharArray();
        } catch (IOException e) {
            throw new CliFailure("--password-file: " + file + " cannot be read (" + e.getMessage() + ")");
        }
    }

    private static char[] ask(Context context, String question, String otherwise) throws CliFailure {
        if (context.prompt() == null) {
            throw new CliFailure("no terminal to ask for the password: " + otherwise);
        }
        char[] answer = context.prompt().readPassword(question);
        if (answer == null || answer.length == 0) {
            throw new CliFailure("no password given");
        }
        return answer;
    }
}
