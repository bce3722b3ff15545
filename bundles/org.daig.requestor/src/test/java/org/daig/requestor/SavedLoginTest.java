package org.daig.requestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedLoginTest {

    @TempDir
    Path dir;

    private static final SavedLogin LOGIN = new SavedLogin("http://grid.example.org:7700", "alice", "daig_a_topsecret", "a", 99);

    @Test
    void theFileGoesToTheUsersConfigFolder() {
        assertEquals(Path.of("/x/daig/credentials.json"), SavedLogin.defaultFile(Map.of("XDG_CONFIG_HOME", "/x", "HOME", "/h"), "Linux", "/u"));
        assertEquals(Path.of("/h/.config/daig/credentials.json"), SavedLogin.defaultFile(Map.of("HOME", "/h"), "Linux", "/u"));
        assertEquals(Path.of("/h/.config/daig/credentials.json"),
                SavedLogin.defaultFile(Map.of("XDG_CONFIG_HOME", "relative", "HOME", "/h"), "Linux", "/u"), "a relative XDG folder is ignored");
        assertEquals(Path.of("/u/.config/daig/credentials.json"), SavedLogin.defaultFile(Map.of(), "Mac OS X", "/u"));
        assertEquals(Path.of("/appdata", "daig", "credentials.json"), SavedLogin.defaultFile(Map.of("APPDATA", "/appdata"), "Windows 11", "/u"));
    }

    @Test
    void writtenOwnerOnlyAndReadBack() throws IOException {
        Path file = dir.resolve("conf/daig/credentials.json");

        LOGIN.write(file);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(Optional.of(LOGIN), SavedLogin.read(file));
        assertFalse(PrivateFiles.readableByOthers(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file is left");
        }
        assertTrue(SavedLogin.delete(file));
        assertEquals(Optional.empty(), SavedLogin.read(file));
    }

    @Test
    void aDamagedFileIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("credentials.json"), "{\"user\": 1");

        IOException e = assertThrows(IOException.class, () -> SavedLogin.read(file));

        assertTrue(e.getMessage().startsWith(file + " is not a saved DAIG login"), e.getMessage());
    }

    @Test
    void theTokenIsOnlyForItsCoordinator() {
        assertTrue(LOGIN.isFor(URI.create("http://grid.example.org:7700/")));
        assertTrue(LOGIN.isFor(URI.create("HTTP://Grid.Example.org:7700")));
        assertFalse(LOGIN.isFor(URI.create("http://grid.example.org:7701")));
        assertFalse(LOGIN.isFor(URI.create("https://grid.example.org:7700")));
        assertFalse(LOGIN.isFor(URI.create("http://evil.example.org:7700")));
        assertFalse(LOGIN.isFor(URI.create("http://grid.example.org.evil.org:7700")));
    }

    @Test
    void theTokenStaysOutOfToString() {
        assertFalse(LOGIN.toString().contains("topsecret"), LOGIN.toString());
    }
}
