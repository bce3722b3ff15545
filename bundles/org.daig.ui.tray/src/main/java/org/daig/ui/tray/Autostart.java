package org.daig.ui.tray;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Starting the volunteer app at login, the way each desktop expects it: an XDG autostart entry
 * ({@code ~/.config/autostart/daig-tray.desktop}) on Linux and other Unix desktops, a LaunchAgent
 * ({@code ~/Library/LaunchAgents/org.daig.tray.plist}) on macOS, the current user's {@code Run}
 * key on Windows. Opt-in: nothing is written before {@link #enable()}. Plain Java, no SWT.
 */
public final class Autostart {

    /** Runs a command to its end; injectable so the Windows commands can be tested anywhere. */
    @FunctionalInterface
    interface CommandRunner {
        Result run(List<String> command) throws IOException, InterruptedException;
    }

    /** A finished command: its exit status and what it printed (stdout and stderr together). */
    record Result(int exitCode, String output) {
    }

    static final String DESKTOP_FILE = "daig-tray.desktop";
    static final String AGENT_LABEL = "org.daig.tray";
    static final String RUN_KEY = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
    static final String RUN_VALUE = "DAIG";

    private enum Desktop { XDG, MACOS, WINDOWS }

    private static final long COMMAND_TIMEOUT_SECONDS = 30;

    private final Desktop desktop;
    private final Path launcher;
    private final Path file; // the autostart entry, null on Windows
    private final CommandRunner commands;

    /**
     * @param os       the operating system's name, as {@code System.getProperty("os.name")}
     * @param home     the user's home folder
     * @param launcher the product's start script, started at login
     */
    public Autostart(String os, Path home, Path launcher) {
        this(os, home, launcher, System.getenv("XDG_CONFIG_HOME"), Autostart::runProcess);
    }

    /** @param xdgConfigHome the value of {@code $XDG_CONFIG_HOME}, or null */
    Autostart(String os, Path home, Path launcher, String xdgConfigHome, CommandRunner commands) {
        String name = os.toLowerCase(Locale.ROOT);
        this.desktop = name.startsWith("windows") ? Desktop.WINDOWS
                : name.contains("mac") || name.contains("darwin") ? Desktop.MACOS : Desktop.XDG;
        this.launcher = launcher.toAbsolutePath().normalize(); // started from another folder at login
        this.commands = commands;
        this.file = switch (desktop) {
        case XDG -> configHome(home, xdgConfigHome).resolve("autostart").resolve(DESKTOP_FILE);
        case MACOS -> home.resolve("Library").resolve("LaunchAgents").resolve(AGENT_LABEL + ".plist");
        case WINDOWS -> null;
        };
    }

    /** $XDG_CONFIG_HOME when set to an absolute path (the spec says to ignore a relative one), else ~/.config. */
    private static Path configHome(Path home, String xdgConfigHome) {
        if (xdgConfigHome != null && !xdgConfigHome.isBlank() && Path.of(xdgConfigHome).isAbsolute()) {
            return Path.of(xdgConfigHome);
        }
        return home.resolve(".config");
    }

    /** Where the setting lives, for people: the file, or the registry value. */
    public String where() {
        return file != null ? file.toString() : "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run, value " + RUN_VALUE;
    }

    /**
     * Whether the app starts at login. An XDG entry the desktop's own settings switched off
     * ({@code Hidden=true}, {@code X-GNOME-Autostart-enabled=false}) counts as off. False when it
     * cannot be told (reg.exe failing): the menu shows it unticked and ticking it tries again.
     */
    public boolean isEnabled() {
        return switch (desktop) {
        case XDG -> Files.isRegularFile(file) && !switchedOff(file);
        case MACOS -> Files.isRegularFile(file);
        case WINDOWS -> registryValueExists();
        };
    }

    /** Starts the app at each login from now on (writes the entry again if there is one). */
    public void enable() throws IOException {
        switch (desktop) {
        case XDG -> writeAtomically(file, desktopEntry(launcher));
        case MACOS -> writeAtomically(file, launchAgent(launcher));
        case WINDOWS -> reg("add", RUN_KEY, "/v", RUN_VALUE, "/t", "REG_SZ", "/d", windowsArgument(quoted(launcher)), "/f");
        }
    }

    /** Stops starting the app at login; nothing happens when it was not set up. */
    public void disable() throws IOException {
        switch (desktop) {
        case XDG, MACOS -> Files.deleteIfExists(file);
        case WINDOWS -> {
            if (registryValueExists()) { // reg delete fails on a missing value: ask first
                reg("delete", RUN_KEY, "/v", RUN_VALUE, "/f");
            }
        }
        }
    }

    // ---------------------------------------------------------------- Linux and other Unix desktops

    /** The XDG autostart entry (Desktop Entry Specification 1.5). */
    static String desktopEntry(Path launcher) {
        return "[Desktop Entry]\n"
                + "Type=Application\n"
                + "Name=DAIG volunteer\n"
                + "Comment=Lends this computer's spare time to the DAIG grid\n"
                + "Exec=" + execArgument(launcher.toString()) + "\n"
                + "Terminal=false\n"
                + "X-GNOME-Autostart-enabled=true\n";
    }

    /**
     * One argument of an Exec key: in double quotes, with {@code " ` $ \} escaped by a backslash
     * and {@code %} doubled (the spec's quoting rules); then the string escapes every value gets,
     * which double each backslash again.
     */
    static String execArgument(String argument) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : argument.toCharArray()) {
            switch (c) {
            case '"', '`', '$', '\\' -> quoted.append('\\').append(c);
            case '%' -> quoted.append("%%");
            default -> quoted.append(c);
            }
        }
        quoted.append('"');
        return quoted.toString().replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
    }

    private static boolean switchedOff(Path entry) {
        try {
            for (String line : Files.readAllLines(entry, StandardCharsets.UTF_8)) {
                String setting = line.replace(" ", "");
                if (setting.equalsIgnoreCase("Hidden=true") || setting.equalsIgnoreCase("X-GNOME-Autostart-enabled=false")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true; // an entry that cannot be read starts nothing
        }
    }

    // ---------------------------------------------------------------- macOS

    /** A LaunchAgent that runs the launcher once when the user logs in. */
    static String launchAgent(Path launcher) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                + "<plist version=\"1.0\">\n"
                + "<dict>\n"
                + "  <key>Label</key>\n"
                + "  <string>" + AGENT_LABEL + "</string>\n"
                + "  <key>ProgramArguments</key>\n"
                + "  <array>\n"
                + "    <string>" + xmlEscape(launcher.toString()) + "</string>\n"
                + "  </array>\n"
                + "  <key>RunAtLoad</key>\n"
                + "  <true/>\n"
                + "</dict>\n"
                + "</plist>\n";
    }

    static String xmlEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }

    // ---------------------------------------------------------------- files

    /** Writes beside the target first and renames, so a crash never leaves half an entry the desktop would read. */
    private static void writeAtomically(Path target, String content) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        // ".tmp": neither the autostart folder (*.desktop) nor launchd (*.plist) picks it up meanwhile
        Path temporary = Files.createTempFile(folder, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            readableByAll(temporary);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** rw-r--r--, the usual mode of such entries (a temporary file starts as rw-------). */
    private static void readableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows has no modes; the user's own folder is readable to the user
        }
    }

    // ---------------------------------------------------------------- Windows

    /** The registry value's data: the launcher in quotes, so a path with spaces stays one program. */
    private static String quoted(Path launcher) {
        return "\"" + launcher + "\"";
    }

    /**
     * An argument as reg.exe's C runtime reads it back: a quote becomes {@code \"} and the
     * backslashes just before it are doubled. (Java then wraps an argument with spaces in quotes.)
     */
    static String windowsArgument(String argument) {
        StringBuilder escaped = new StringBuilder();
        int backslashes = 0;
        for (char c : argument.toCharArray()) {
            if (c == '\\') {
                backslashes++;
            } else {
                if (c == '"') {
                    escaped.append("\\".repeat(backslashes + 1));
                }
                backslashes = 0;
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private boolean registryValueExists() {
        try {
            return commands.run(List.of("reg.exe", "query", RUN_KEY, "/v", RUN_VALUE)).exitCode() == 0; // 1: no such value
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void reg(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("reg.exe"));
        command.addAll(List.of(arguments));
        Result result;
        try {
            result = commands.run(command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running reg.exe " + arguments[0]);
        }
        if (result.exitCode() != 0) {
            throw new IOException("reg.exe " + arguments[0] + " failed (" + result.exitCode() + "): " + result.output().strip());
        }
    }

    /** Runs a command with ProcessBuilder; one that hangs is ended. */
    private static Result runProcess(List<String> command) throws IOException, InterruptedException {
        // output to a file, not a pipe: reading a pipe would wait as long as a hanging command
        Path output = Files.createTempFile("daig-autostart", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            process.getOutputStream().close(); // reg.exe asks nothing with /f: it must never wait for an answer
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            // reg.exe writes in the console's code page
            return new Result(process.exitValue(), new String(Files.readAllBytes(output), Charset.defaultCharset()));
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException stillOpen) {
                output.toFile().deleteOnExit(); // a killed process may hold it a moment longer on Windows
            }
        }
    }
}
