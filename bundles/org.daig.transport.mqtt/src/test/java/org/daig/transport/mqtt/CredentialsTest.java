package org.daig.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {

    @TempDir
    Path data;

    @Test
    void aRelativePasswordFileIsReadFromTheDataFolderAndTheUserIsTheClientId() throws Exception {
        Files.createDirectories(data.resolve("provider"));
        Files.writeString(data.resolve("provider/device-token"), "daig_abc_secret\n");
        Credentials c = Credentials.of("", "", "provider/device-token", "p1", data);
        assertEquals("p1", c.username());
        assertArrayEquals("daig_abc_secret".toCharArray(), c.password());
    }

    @Test
    void theFileWinsOverAConfiguredPasswordAndAConfiguredUserIsKept() throws Exception {
        Path file = Files.writeString(data.resolve("token"), "from-file");
        Credentials c = Credentials.of("someone", "from-config", file.toString(), "p1", data);
        assertEquals("someone", c.username());
        assertArrayEquals("from-file".toCharArray(), c.password());
    }

    @Test
    void withoutUserAndPasswordTheConnectIsAnonymous() throws Exception {
        assertSame(Credentials.NONE, Credentials.of("", "", "", "p1", data));
        assertNull(Credentials.NONE.username());
        Credentials configured = Credentials.of("u", "pw", " ", "p1", data);
        assertEquals("u", configured.username());
    }

    @Test
    void aMissingEmptyOrHugeFileSaysWhatToDoAndNeverShowsItsContent() throws Exception {
        Credentials.Unavailable missing = assertThrows(Credentials.Unavailable.class,
                () -> Credentials.of("", "", "provider/device-token", "p1", data));
        assertTrue(missing.getMessage().contains("does not exist (yet)"), missing.getMessage());
        assertTrue(missing.getMessage().contains("enrols"), missing.getMessage());
        Files.writeString(data.resolve("empty"), " \n");
        assertTrue(assertThrows(Credentials.Unavailable.class, () -> Credentials.of("", "", "empty", "p1", data)).getMessage()
                .contains("is empty"));
        Files.writeString(data.resolve("huge"), "secret-" + "x".repeat(Credentials.MAX_FILE_BYTES));
        Credentials.Unavailable huge = assertThrows(Credentials.Unavailable.class, () -> Credentials.of("", "", "huge", "p1", data));
        assertTrue(huge.getMessage().contains("larger than"), huge.getMessage());
        assertFalse(huge.getMessage().contains("secret-"), "the file's content is never in a message");
    }
}
