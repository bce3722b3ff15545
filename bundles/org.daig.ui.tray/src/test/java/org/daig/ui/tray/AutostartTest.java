package org.daig.ui.tray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutostartTest {

    @TempDir
    Path home;

    private final List<List<String>> commands = new ArrayList<>();

    /** Answers reg.exe like a registry holding the Run value or not; records every command. */
    private Autostart.CommandRunner registry(boolean valueThere) {
        return command -> {
            commands.add(command);
            return command.get(1).equals("query") && !valueThere ? new Autostart.Result(1, "ERROR: not found") : new Autostart.Result(0, "");
        };
    }

    private Autostart linux(Path launcher) {
        return new Autostart("Linux", home, launcher, null, registry(false));
    }

    private List<Path> everything() throws IOException {
        try (Stream<Path> files = Files.walk(home)) {
            return files.filter(f -> !f.equals(home)).toList();
        }
    }

    // ---------------------------------------------------------------- Linux

    @Test
    void linuxWritesAnXdgAutostartEntry() throws Exception {
        Autostart autostart = linux(Path.of("/opt/daig/bin/daig-desktop"));
        Path entry = home.resolve(".config/autostart/daig-tray.desktop");

        autostart.enable();

        assertEquals("[Desktop Entry]\n"
                + "Type=Application\n"
                + "Name=DAIG volunteer\n"
                + "Comment=Lends this computer's spare time to the DAIG grid\n"
                + "Exec=\"/opt/daig/bin/daig-desktop\"\n"
                + "Terminal=false\n"
                + "X-GNOME-Autostart-enabled=true\n", Files.readString(entry));
        assertEquals(entry.toString(), autostart.where());
        assertEquals(List.of(home.resolve(".config"), home.resolve(".config/autostart"), entry), everything(), "no temporary file is left");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(entry)));
    }

    @Test
    void nothingIsWrittenBeforeEnable() throws Exception {
        Autostart autostart = linux(Path.of("/opt/daig/bin/daig-desktop"));

        assertFalse(autostart.isEnabled());
        autostart.where();
        autostart.disable();

        assertEquals(List.of(), everything());
    }

    @Test
    void linuxEnableDisableAndIsEnabled() throws Exception {
        Autostart autostart = linux(Path.of("/opt/daig/bin/daig-desktop"));

        autostart.enable();
        assertTrue(autostart.isEnabled());
        autostart.enable(); // again: rewritten, still one entry
        assertTrue(autostart.isEnabled());
        try (Stream<Path> entries = Files.list(home.resolve(".config/autostart"))) {
            assertEquals(1, entries.count());
        }

        autostart.disable();
        assertFalse(autostart.isEnabled());
        assertFalse(Files.exists(home.resolve(".config/autostart/daig-tray.desktop")));
    }

    @Test
    void anEntryTheDesktopSwitchedOffCountsAsOff() throws Exception {
        Autostart autostart = linux(Path.of("/opt/daig/bin/daig-desktop"));
        autostart.enable();
        Path entry = home.resolve(".config/autostart/daig-tray.desktop");

        Files.writeString(entry, Files.readString(entry).replace("X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false"));
        assertFalse(autostart.isEnabled());

        autostart.enable(); // ticking the menu item turns it on again
        assertTrue(autostart.isEnabled());
        Files.writeString(entry, Files.readString(entry) + "Hidden=true\n");
        assertFalse(autostart.isEnabled());
    }

    @Test
    void anAbsoluteXdgConfigHomeIsUsedARelativeOneIgnored() {
        Path config = home.resolve("elsewhere");

        assertEquals(config.resolve("autostart/daig-tray.desktop").toString(),
                new Autostart("Linux", home, Path.of("/x"), config.toString(), registry(false)).where());
        assertEquals(home.resolve(".config/autostart/daig-tray.desktop").toString(),
                new Autostart("FreeBSD", home, Path.of("/x"), "relative/config", registry(false)).where());
    }

    @Test
    void theExecKeyQuotesThePathAsTheDesktopEntrySpecSays() throws Exception {
        assertEquals("\"/home/a b/daig\"", Autostart.execArgument("/home/a b/daig"));
        // $ ` " are backslash-escaped in quotes; that backslash is doubled by the string escapes
        assertEquals("\"/x/\\\\$HOME/\\\\`a\\\\`/\\\\\"q\\\\\"\"", Autostart.execArgument("/x/$HOME/`a`/\"q\""));
        // a backslash: escaped for the quotes, each of the two doubled for the string: four
        assertEquals("\"/x/a\\\\\\\\b\"", Autostart.execArgument("/x/a\\b"));
        assertEquals("\"/x/100%%/daig\"", Autostart.execArgument("/x/100%/daig"));

        linux(Path.of("/opt/my daig/bin/daig-desktop")).enable();
        assertTrue(Files.readString(home.resolve(".config/autostart/daig-tray.desktop")).contains("\nExec=\"/opt/my daig/bin/daig-desktop\"\n"));
    }

    @Test
    void aRelativeLauncherIsMadeAbsolute() throws Exception {
        linux(Path.of("bin/daig-desktop")).enable();

        String entry = Files.readString(home.resolve(".config/autostart/daig-tray.desktop"));
        assertTrue(entry.contains("Exec=\"" + Path.of("bin/daig-desktop").toAbsolutePath() + "\""), entry);
    }

    // ---------------------------------------------------------------- macOS

    @Test
    void macWritesALaunchAgent() throws Exception {
        Autostart autostart = new Autostart("Mac OS X", home, Path.of("/Applications/DAIG & Co <beta>.app/Contents/MacOS/daig-desktop"), null,
                registry(false));
        Path agent = home.resolve("Library/LaunchAgents/org.daig.tray.plist");

        autostart.enable();

        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                + "<plist version=\"1.0\">\n"
                + "<dict>\n"
                + "  <key>Label</key>\n"
                + "  <string>org.daig.tray</string>\n"
                + "  <key>ProgramArguments</key>\n"
                + "  <array>\n"
                + "    <string>/Applications/DAIG &amp; Co &lt;beta&gt;.app/Contents/MacOS/daig-desktop</string>\n"
                + "  </array>\n"
                + "  <key>RunAtLoad</key>\n"
                + "  <true/>\n"
                + "</dict>\n"
                + "</plist>\n", Files.readString(agent));
        assertEquals(agent.toString(), autostart.where());
    }

    @Test
    void macEnableDisableAndIsEnabled() throws Exception {
        Autostart autostart = new Autostart("Mac OS X", home, Path.of("/Applications/DAIG.app/Contents/MacOS/daig-desktop"), null,
                registry(false));

        assertFalse(autostart.isEnabled());
        assertEquals(List.of(), everything(), "nothing before enable()");
        autostart.enable();
        assertTrue(autostart.isEnabled());
        autostart.disable();
        assertFalse(autostart.isEnabled());
        assertEquals(List.of(home.resolve("Library"), home.resolve("Library/LaunchAgents")), everything());
    }

    // ---------------------------------------------------------------- Windows

    private static final Path WINDOWS_LAUNCHER = Path.of("/Program Files/DAIG/bin/daig-desktop.cmd");

    @Test
    void windowsEnableAddsTheRunValueWithTheLauncherInQuotes() throws Exception {
        Autostart autostart = new Autostart("Windows 11", home, WINDOWS_LAUNCHER, null, registry(false));

        autostart.enable();

        // reg.exe reads \" as a quote: the value's data is "C:\...\daig-desktop.cmd" with its quotes
        assertEquals(List.of(List.of("reg.exe", "add", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "/v", "DAIG", "/t", "REG_SZ",
                "/d", "\\\"" + WINDOWS_LAUNCHER.toAbsolutePath() + "\\\"", "/f")), commands);
        assertEquals(List.of(), everything(), "no file on Windows");
        assertEquals("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run, value DAIG", autostart.where());
    }

    @Test
    void windowsIsEnabledQueriesTheValue() {
        assertTrue(new Autostart("Windows 10", home, WINDOWS_LAUNCHER, null, registry(true)).isEnabled());
        assertFalse(new Autostart("Windows 10", home, WINDOWS_LAUNCHER, null, registry(false)).isEnabled());

        assertEquals(List.of("reg.exe", "query", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "/v", "DAIG"), commands.get(0));
    }

    @Test
    void windowsDisableDeletesTheValueOnlyWhenItIsThere() throws Exception {
        new Autostart("Windows 10", home, WINDOWS_LAUNCHER, null, registry(true)).disable();
        assertEquals(List.of(List.of("reg.exe", "query", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "/v", "DAIG"),
                List.of("reg.exe", "delete", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "/v", "DAIG", "/f")), commands);

        commands.clear();
        new Autostart("Windows 10", home, WINDOWS_LAUNCHER, null, registry(false)).disable();
        assertEquals(1, commands.size(), "only the query: " + commands);
    }

    @Test
    void aFailingRegExeIsReportedWithItsOutput() {
        Autostart autostart = new Autostart("Windows 10", home, WINDOWS_LAUNCHER, null,
                command -> new Autostart.Result(1, "ERROR: Access is denied.\r\n"));

        IOException e = assertThrows(IOException.class, autostart::enable);

        assertEquals("reg.exe add failed (1): ERROR: Access is denied.", e.getMessage());
    }

    @Test
    void quotesAreEscapedForTheWindowsCommandLine() {
        assertEquals("\\\"C:\\Program Files\\DAIG\\daig.exe\\\"", Autostart.windowsArgument("\"C:\\Program Files\\DAIG\\daig.exe\""));
        assertEquals("a\\\\\\\"b", Autostart.windowsArgument("a\\\"b"), "backslashes before a quote are doubled");
        assertEquals("C:\\DAIG\\", Autostart.windowsArgument("C:\\DAIG\\"), "other backslashes stay");
    }
}
