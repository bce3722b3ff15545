package org.daig.accounts.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Files that hold a secret (the admin's first password, the service token, Mosquitto's password
 * file): created with mode 0600 from the start (never readable by others, not even for a moment),
 * written whole and renamed into place. On a file system without POSIX permissions (Windows) the
 * file gets the folder's ACL, which for the data folder is the service user's.
 */
public final class SecretFiles {

    /** A secret file is a line or a few; anything longer is not ours. */
    static final int MAX_BYTES = 64 * 1024;

    private SecretFiles() {
    }

    public static boolean posix(Path path) {
        FileSystem fs = path.getFileSystem();
        return fs.supportedFileAttributeViews().contains("posix");
    }

    /** Creates {@code dir} (and parents) with mode 0700 where it is new and the file system has POSIX modes. */
    public static Path privateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (posix(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        return dir;
    }

    public static void write(Path file, String content) throws IOException {
        Path dir = privateDirectory(file.toAbsolutePath().getParent());
        Path temp = posix(dir)
                ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp", owner())
                : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file's first line (trimmed), or empty when there is no such file. Fails on a file over {@value #MAX_BYTES} bytes. */
    public static Optional<String> readLine(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException(file + " is over " + MAX_BYTES + " bytes: not a secret file");
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            return Optional.of((end < 0 ? text : text.substring(0, end)).strip());
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> owner() {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    }
}
