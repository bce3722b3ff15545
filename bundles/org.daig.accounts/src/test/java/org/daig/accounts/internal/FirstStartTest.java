package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.daig.accounts.AccountException;
import org.daig.accounts.internal.Books.Book;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first start's admin and service token: where the secrets go, who can read them, and that they are made once. */
class FirstStartTest {

    @TempDir
    Path data;
    private Path dir;
    private Books books;
    private Book book;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);

    @BeforeEach
    void open() throws Exception {
        dir = data.resolve("accounts");
        books = new Books(Files.createDirectories(dir));
        book = books.open();
    }

    @AfterEach
    void close() {
        book.close();
    }

    private String printed() {
        return console.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aGeneratedAdminPasswordIsShownOnceAndWrittenToAFileOnlyTheOwnerCanRead() throws Exception {
        FirstStart first = new FirstStart(book, dir);
        assertTrue(first.ensureAdmin("", name -> null, out));
        Path file = dir.resolve(FirstStart.ADMIN_PASSWORD_FILE);
        String password = SecretFiles.readLine(file).orElseThrow();
        assertTrue(password.length() >= 24, password);
        assertEquals(1, printed().lines().count(), "one line");
        assertTrue(printed().contains(password) && printed().contains(file.toAbsolutePath().toString()));
        if (SecretFiles.posix(file)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        assertEquals(Set.of(Role.ADMIN, Role.REQUESTOR), book.verify(book.login("admin", password, "127.0.0.1").token()).orElseThrow().roles());

        assertFalse(first.ensureAdmin("", name -> null, out), "users exist: nothing happens");
        assertEquals(1, printed().lines().count(), "shown once");
        assertEquals(password, SecretFiles.readLine(file).orElseThrow());
    }

    @Test
    void secretFilesAndTheirFolderAreCreatedPrivate() throws IOException {
        Path file = data.resolve("new-folder").resolve("secret");
        SecretFiles.write(file, "s3cret\n");
        assumeTrue(SecretFiles.posix(file), "no POSIX modes on this file system");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        SecretFiles.write(file, "replaced\n");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(Optional.of("replaced"), SecretFiles.readLine(file));
        try (var listing = Files.list(file.getParent())) {
            assertEquals(1, listing.count(), "no temporary file left behind");
        }
    }

    @Test
    void aPasswordFromTheEnvironmentIsUsedAndNeverShownOrWritten() throws Exception {
        String configured = "from the environment 123";
        assertTrue(new FirstStart(book, dir).ensureAdmin("", Map.of(FirstStart.ADMIN_PASSWORD_ENV, configured)::get, out));
        assertEquals("", printed());
        assertFalse(Files.exists(dir.resolve(FirstStart.ADMIN_PASSWORD_FILE)));
        assertTrue(book.login("admin", configured, "127.0.0.1").token().startsWith("daig_"));
    }

    @Test
    void aConfiguredPasswordFileWinsOverTheEnvironment() throws Exception {
        Path file = data.resolve("admin.txt");
        Files.writeString(file, "from the file 123456\n");
        assertTrue(new FirstStart(book, dir).ensureAdmin(file.toString(), Map.of(FirstStart.ADMIN_PASSWORD_ENV, "from the env 123456")::get, out));
        assertEquals("", printed());
        assertTrue(book.login("admin", "from the file 123456", "127.0.0.1").token().startsWith("daig_"));
    }

    @Test
    void anUnusableConfiguredPasswordStopsTheStartWithAClearMessageAndCreatesNothing() throws Exception {
        Path file = data.resolve("admin.txt");
        Files.writeString(file, "short\n");
        FirstStart first = new FirstStart(book, dir);
        AccountException e = assertThrows(AccountException.class, () -> first.ensureAdmin(file.toString(), name -> null, out));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("password:"), e.getMessage());
        assertFalse(e.getMessage().contains("short"), "the password itself is not in the message");
        IOException missing = assertThrows(IOException.class, () -> first.ensureAdmin(data.resolve("none").toString(), name -> null, out));
        assertTrue(missing.getMessage().contains("adminPasswordFile"));
        assertEquals(0, book.users().size());
    }

    @Test
    void theServiceTokenIsWrittenOnceKeptAcrossRestartsAndReplacedWhenLost() throws Exception {
        FirstStart first = new FirstStart(book, dir);
        assertTrue(first.ensureServiceToken());
        Path file = dir.resolve(FirstStart.SERVICE_TOKEN_FILE);
        String token = SecretFiles.readLine(file).orElseThrow();
        assertEquals(Scope.SERVICE, book.verify(token).orElseThrow().scope());
        if (SecretFiles.posix(file)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        book.close();
        book = books.open();
        assertFalse(new FirstStart(book, dir).ensureServiceToken(), "still valid after a restart: kept");
        assertEquals(token, SecretFiles.readLine(file).orElseThrow());

        Files.delete(file);
        assertTrue(new FirstStart(book, dir).ensureServiceToken());
        String replacement = SecretFiles.readLine(file).orElseThrow();
        assertNotEquals(token, replacement);
        assertEquals(Optional.empty(), book.verify(token), "the lost one is revoked");
        assertTrue(book.verify(replacement).isPresent());
    }
}
