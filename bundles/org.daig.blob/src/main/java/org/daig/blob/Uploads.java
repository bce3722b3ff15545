package org.daig.blob;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

import org.daig.api.account.Identity;
import org.daig.api.blob.BlobAccess;
import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobStore;
import org.daig.api.blob.UploadState;
import org.daig.blob.UploadProofs.Proof;

import jakarta.servlet.http.HttpServletResponse;

/**
 * One chunk of an upload an uploader was let in for ({@link BlobAccess#refuseUpload} said yes).
 * Every byte the uploader sends goes into its own proof ({@link UploadProofs}); bytes the store
 * does not hold yet are also written to the store's upload. Bytes the store already has (the blob
 * is complete, or another upload of the same id got further) are only hashed. When the
 * uploader's own bytes reach the total and hash to the id, the blob is the uploader's:
 * {@link BlobAccess#uploaded}.
 */
final class Uploads {

    /**
     * The answer to a chunk.
     *
     * @param status   the HTTP status
     * @param received the uploader's bytes so far (Upload-Offset)
     * @param error    what went wrong, null on success
     */
    record Outcome(int status, long received, String error) {
    }

    private final BlobStore store;
    private final BlobAccess access;
    private final UploadProofs proofs;

    Uploads(BlobStore store, BlobAccess access, UploadProofs proofs) {
        this.store = store;
        this.access = access;
        this.proofs = proofs;
    }

    /** Where the uploader stands on blob {@code id} (what HEAD answers when it may not read the blob). */
    long received(Identity caller, String id) {
        return proofs.received(UploadProofs.key(caller, id));
    }

    /**
     * Takes the chunk [offset, offset + body's length) of a blob of {@code total} bytes.
     *
     * @throws IOException when the store failed for a reason that is not the uploader's (the caller answers 500)
     */
    Outcome put(Identity caller, String id, long offset, long total, BlobServlet.ChunkInput body) throws IOException {
        String key = UploadProofs.key(caller, id);
        Proof proof = offset == 0 ? proofs.start(key, total) : proofs.find(key);
        if (proof == null || proof.received != offset || proof.total != total) {
            long at = proof == null || proof.total != total ? 0 : proof.received;
            return new Outcome(HttpServletResponse.SC_CONFLICT, at, "your upload of " + id + " stands at byte " + at + ", not at "
                    + offset + (proof != null && proof.total != total ? " (it announced " + proof.total + " bytes, not " + total + ")" : "")
                    + ": send the bytes from " + at + " on (HEAD answers Upload-Offset)");
        }
        synchronized (proof) {
            if (proof.received != offset) { // another chunk of the same uploader got in first
                return new Outcome(HttpServletResponse.SC_CONFLICT, proof.received, "your upload of " + id + " stands at byte "
                        + proof.received + ", not at " + offset + ": send the bytes from " + proof.received + " on");
            }
            Hashed in = new Hashed(body, proof.digest);
            try {
                Outcome failed = store(id, offset, total, body.length(), in);
                if (failed != null) {
                    proofs.remove(key, proof);
                    return failed;
                }
                proof.received = offset + in.count;
            } catch (BlobException e) {
                proofs.remove(key, proof);
                return new Outcome(BlobServlet.status(e), 0, e.getMessage());
            } catch (IOException e) {
                proof.received = offset + in.count;
                if (body.failed() || e instanceof ShortBody) {
                    return new Outcome(HttpServletResponse.SC_BAD_REQUEST, proof.received, "the upload's body broke off (" + e.getMessage()
                            + "); " + proof.received + " bytes are kept: resume from Upload-Offset");
                }
                proofs.remove(key, proof);
                throw e;
            }
            if (proof.received < total) {
                return new Outcome(HttpServletResponse.SC_ACCEPTED, proof.received, null);
            }
            proofs.remove(key, proof);
            String actual = Hashing.hex(proof.digest.digest());
            if (!actual.equals(id)) {
                return new Outcome(422, 0, "the " + total + " bytes you sent have SHA-256 " + actual + ", not " + id
                        + "; nothing was kept for you: upload the file under its real SHA-256");
            }
            if (store.find(id).isEmpty()) {
                throw new IOException("blob " + id + " is not in the store although all its bytes arrived");
            }
            access.uploaded(caller, id, total);
            return new Outcome(HttpServletResponse.SC_CREATED, total, null);
        }
    }

    /**
     * Hashes what the store holds already, writes the rest to the store's upload; null when all
     * went well, else the answer (the store lost bytes of this upload, or another upload moved on).
     */
    private Outcome store(String id, long offset, long total, long length, Hashed in) throws IOException {
        UploadState state = store.uploadState(id);
        if (state.complete()) {
            in.hashOnly(length); // the blob is there: the uploader only proves it has the bytes
            return null;
        }
        long have = state.received();
        if (have < offset) {
            return new Outcome(HttpServletResponse.SC_CONFLICT, 0, "the coordinator no longer holds the start of this upload of " + id
                    + " (it was abandoned or discarded): send it again from byte 0");
        }
        long known = Math.min(length, have - offset);
        in.hashOnly(known);
        if (known < length || have == total) {
            try {
                store.append(id, have, total, in);
            } catch (BlobException e) {
                if (e.reason() != BlobException.Reason.WRONG_OFFSET) {
                    throw e;
                }
                // another upload of the same bytes moved on meanwhile: go on hashing from where this one stands
            }
        }
        return null;
    }

    /** The chunk's bytes, fed to the uploader's digest as they are read, and counted. */
    private static final class Hashed extends InputStream {

        private final InputStream in;
        private final MessageDigest digest;
        long count;

        Hashed(InputStream in, MessageDigest digest) {
            this.in = in;
            this.digest = digest;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        /** Reads and hashes exactly {@code n} bytes without keeping them. */
        void hashOnly(long n) throws IOException {
            byte[] buffer = new byte[Hashing.BUFFER_BYTES];
            long left = n;
            while (left > 0) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, left));
                if (r < 0) {
                    throw new ShortBody("the body ended " + left + " bytes before the end of its range");
                }
                left -= r;
            }
        }
    }

    /** The request body was shorter than it announced: the uploader's fault, answered 400. */
    private static final class ShortBody extends IOException {

        private static final long serialVersionUID = 1L;

        ShortBody(String message) {
            super(message);
        }
    }
}
