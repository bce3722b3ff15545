package org.daig.api.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Content-addressed storage: a blob's id is the lower-case hex SHA-256 of its bytes, and a blob
 * becomes visible only after its bytes were hashed and matched (written to a temporary file,
 * renamed afterwards). Blobs are immutable. Uploads from the network arrive in chunks and can be
 * resumed after an interruption, even across a restart of the store's process.
 */
@ProviderType
public interface BlobStore {

    /** What a blob id looks like: 64 lower-case hex digits ({@link #isValidId} checks it without this pattern). */
    Pattern ID = Pattern.compile("[0-9a-f]{64}");

    /** Whether {@code id} is 64 lower-case hex digits; a plain loop, as every blob request checks ids several times. */
    static boolean isValidId(String id) {
        if (id == null || id.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = id.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The complete blob with this id, if the store has it. */
    Optional<BlobInfo> find(String id);

    /**
     * A file holding the blob's bytes, for local readers such as the trainer worker. Read only;
     * never write to it.
     */
    Path file(String id) throws BlobException;

    /** The blob's bytes from {@code offset} on. */
    InputStream open(String id, long offset) throws IOException;

    /** Stores a stream's bytes (hashing them on the way); returns the blob. */
    BlobInfo write(InputStream in) throws IOException;

    /** Stores a copy of a local file; returns the blob. */
    BlobInfo importFile(Path file) throws IOException;

    /** Where an upload of {@code id} stands: 0 bytes if none was started, complete if the blob exists. */
    UploadState uploadState(String id) throws BlobException;

    /**
     * Adds a chunk to an upload. {@code offset} must equal the bytes received so far (see
     * {@link #uploadState}); {@code total} is the blob's full size. When the last byte arrives
     * the upload is hashed: a match makes the blob visible, a mismatch discards the upload and
     * throws {@link BlobException.Reason#HASH_MISMATCH}. If the chunk's stream fails midway, the
     * bytes that arrived are kept and the upload can go on from there.
     */
    UploadState append(String id, long offset, long total, InputStream chunk) throws IOException;

    /**
     * As {@link #append(String, long, long, InputStream)}; with {@code durable} false the store may
     * answer before the bytes are forced to disk: they survive the process dying, not always a
     * power cut. For uploads whose loss costs only work their uploader is asked to do again
     * ({@link BlobAccess#mustBeDurable}). Stores that always write durably ignore it.
     *
     * @since 1.3
     */
    default UploadState append(String id, long offset, long total, InputStream chunk, boolean durable) throws IOException {
        return append(id, offset, total, chunk);
    }

    /** Removes a blob or an unfinished upload; nothing happens if there is none. */
    void delete(String id) throws IOException;

    /**
     * Whether the store can take and give blobs now (its folder there and writable, its bucket
     * answering), for the coordinator's health check. Stores that cannot tell answer true. Since 1.2.
     */
    default boolean healthy() {
        return true;
    }
}
