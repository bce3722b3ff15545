package org.daig.coordinator.service;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobStore;
import org.daig.wire.UpdateCodec;
import org.daig.wire.VectorFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Parameter vectors kept as float32 .npy blobs, and updates as .npy or in the project's compression. */
final class VectorBlobs {

    private static final Logger LOG = LoggerFactory.getLogger(VectorBlobs.class);

    private final BlobStore blobs;
    private final Path tmp;

    /** @param tmp where a vector is written before the store takes it */
    VectorBlobs(BlobStore blobs, Path tmp) {
        this.blobs = blobs;
        this.tmp = tmp;
    }

    float[] read(String blob, long expectedLength) throws IOException {
        try (InputStream in = blobs.open(blob, 0)) {
            return VectorFile.read(in, expectedLength);
        }
    }

    /** An update as its project's compression says it was sent (none: a .npy). */
    float[] readDelta(String blob, long expectedLength, String compression) throws IOException {
        UpdateCodec.Compression c = UpdateCodec.Compression.parse(compression);
        if (c.none()) {
            return read(blob, expectedLength);
        }
        try (InputStream in = new java.io.BufferedInputStream(blobs.open(blob, 0), 1 << 16)) {
            return UpdateCodec.decode(in, expectedLength, c);
        }
    }

    /**
     * Whether the store still holds blob {@code id} as it was stored: there, and its bytes hash to
     * the id (blobs are named by their SHA-256).
     */
    private boolean intact(String id) throws IOException {
        if (blobs.find(id).isEmpty()) {
            return false;
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        try (InputStream in = blobs.open(id, 0)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0;) {
                sha256.update(buffer, 0, n);
            }
        } catch (BlobException e) {
            if (e.reason() == BlobException.Reason.NOT_FOUND) {
                return false;
            }
            throw e;
        }
        return HexFormat.of().formatHex(sha256.digest()).equals(id);
    }

    /**
     * Whether the store lost blob {@code id}: it is missing, or its bytes no longer hash to it
     * (providers' results are not forced to disk, and a power cut may take or shorten one). What is
     * left of it is removed, so that the same bytes uploaded again are stored afresh.
     *
     * @throws IOException when the store cannot be read now: nothing tells a lost blob from an unreachable one
     */
    boolean removeIfLost(String id) throws IOException {
        if (intact(id)) {
            return false;
        }
        try {
            blobs.delete(id);
        } catch (IOException e) {
            LOG.warn("Could not remove the remains of lost blob {}: {}", id, e.toString());
        }
        return true;
    }

    /** Stores a vector; returns its blob id. */
    String store(float[] values) throws IOException {
        Files.createDirectories(tmp);
        Path temp = Files.createTempFile(tmp, "vector", ".npy");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                VectorFile.write(out, values);
            }
            return blobs.importFile(temp).id();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Stores an encoded vector (docs/protocol.md, "Compressed vectors"); returns its blob id. */
    String store(byte[] encoded) throws IOException {
        Files.createDirectories(tmp);
        Path temp = Files.createTempFile(tmp, "vector", ".dup");
        try {
            Files.write(temp, encoded);
            return blobs.importFile(temp).id();
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
