package org.daig.requestor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Files that hold secrets (tokens, password files) or sit beside them: written to a temporary
 * file in the same folder that is created with its final permissions (so there is no moment when
 * another user could open it), then renamed over the target. On file systems without POSIX
 * permissions (Windows) the user's profile folder is what keeps them private.
 *
 * @since 2.1
 */
public final class PrivateFiles {

    /** rw------- */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    /** rw-r--r-- */
    public static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");
    /** The most read from a secret file: tokens and passwords are short. */
    public static final int MAX_SECRET_BYTES = 64 << 10;

    private static final Set<PosixFilePermission> FOLDER_OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {
    }

    /** Writes {@code text} as {@code file}, readable and writable by this user only (0600). */
    public static Path writeOwnerOnly(Path file, String text) throws IOException {
        return write(file, text, OWNER_ONLY);
    }

    /**
     * Writes {@code text} as {@code file} with {@code permissions} from its creation on; a missing
     * folder is created for this user only (0700).
     */
    public static Path write(Path file, String text, Set<PosixFilePermission> permissions) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = posix(dir);
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FOLDER_OWNER_ONLY));
            } else {
                Files.createDirectories(dir);
            }
        }
        Path temp = createTemp(dir, file.getFileName().toString(), posix ? permissions : null);
        try {
            try (SeekableByteChannel channel = Files.newByteChannel(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A file's text, at most {@link #MAX_SECRET_BYTES}; larger is refused, naming the file. */
    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_SECRET_BYTES + 1);
            if (bytes.length > MAX_SECRET_BYTES) {
                throw new IOException(file + " is larger than " + (MAX_SECRET_BYTES >> 10) + " KiB: it is not a token or password file");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** The first line of a file (a password or token file), without its line end. */
    public static String firstLine(Path file) throws IOException {
        String text = read(file);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** Whether group or others may read the file (false where the file system has no POSIX permissions). */
    public static boolean readableByOthers(Path file) throws IOException {
        if (!posix(file.toAbsolutePath().getParent())) {
            return false;
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
    }

    private static boolean posix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static Path createTemp(Path dir, String name, Set<PosixFilePermission> permissions) throws IOException {
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + name + "." + HexFormat.of().toHexDigits(random.nextInt()) + ".tmp");
            try {
                FileAttribute<?>[] attributes = permissions == null ? new FileAttribute<?>[0]
                        : new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(permissions) };
                return Files.createFile(temp, attributes);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }
}
