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

    /** The note of an upload more than one uploader wrote to. */
    static final String MIXED = "*";

    private final BlobStore store;
    private final BlobAccess access;
    private final UploadProofs proofs;
    /** The store's notes on who writes an unfinished upload, when it keeps them (the file store does); else null. */
    private final FileBlobStore notes;
    /**
     * Locks striped by blob id. Many: a writer holds its stripe through the store's fsync (tens of
     * milliseconds), and with few stripes a thousand providers' uploads of different blobs queued
     * behind each other (measured: 64 stripes capped a 1,000-provider run near 160 results/s). With
     * 4,096, a round of 1,000 uploads still put about one in eight behind another's fsync (a
     * recording showed 130 waits of 650 ms on average); 65,536 make that one in a hundred, for 1 MiB.
     */
    private final Object[] writers = new Object[65_536];

    Uploads(BlobStore store, BlobAccess access, UploadProofs proofs) {
        this.store = store;
        this.access = access;
        this.proofs = proofs;
        this.notes = store instanceof FileBlobStore files ? files : null;
        for (int i = 0; i < writers.length; i++) {
            writers[i] = new Object();
        }
    }

    /**
     * Where the uploader stands on blob {@code id} (what HEAD answers when it may not read the
     * blob): its proof, or after a restart the stored bytes of an upload it wrote alone.
     */
    long received(Identity caller, String id) throws IOException {
        String key = UploadProofs.key(caller, id);
        long received = proofs.received(key);
        if (received == 0 && notes != null && key.equals(notes.uploadNote(id))) {
            UploadState state = store.uploadState(id);
            return state.complete() ? 0 : state.received();
        }
        return received;
    }

    /**
     * Takes the chunk [offset, offset + body's length) of a blob of {@code total} bytes.
     *
     * @throws IOException when the store failed for a reason that is not the uploader's (the caller answers 500)
     */
    Outcome put(Identity caller, String id, long offset, long total, BlobServlet.ChunkInput body) throws IOException {
        String key = UploadProofs.key(caller, id);
        Proof proof = offset == 0 ? proofs.start(key, total) : proofs.find(key);
        if (proof == null && offset > 0) {
            proof = resume(key, id, offset, total);
        }
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
                Outcome failed = store(key, id, offset, total, body.length(), in, access.mustBeDurable(caller, id));
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
     * went well, else the answer (the store lost bytes of this upload). When another upload of
     * the same bytes moves on meanwhile, this one stops where it stands and goes on hashing with
     * its next chunk. {@code durable}: the store forces the bytes to disk before it answers.
     */
    private Outcome store(String key, String id, long offset, long total, long length, Hashed in, boolean durable) throws IOException {
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
        if (known == length && have < total) {
            return null;
        }
        synchronized (writers[Math.floorMod(id.hashCode(), writers.length)]) { // one writer of an id at a time, and its note with it
            state = store.uploadState(id);
            if (state.complete() || state.received() != offset + known) {
                return null; // moved on meanwhile
            }
            long stands = state.received();
            // a request that brings the rest of the blob needs a note only if it breaks off: most uploads are one request,
            // and every note is files made, renamed and deleted in the uploads folder, on which a round's uploads queue
            boolean rest = offset + length >= total;
            if (!rest) {
                note(key, id, stands);
            }
            boolean stored = false;
            try {
                store.append(id, stands, total, in, durable);
                stored = true;
            } catch (BlobException e) {
                if (e.reason() != BlobException.Reason.WRONG_OFFSET) {
                    throw e;
                }
                stored = true; // written past this servlet meanwhile (another instance on the same store): go on hashing
            } finally {
                if (rest && !stored) {
                    noteBrokenOff(key, id, stands);
                }
            }
        }
        return null;
    }

    /** The bytes of a request that broke off stay in the store: noted, so that their uploader may go on after a restart. */
    private void noteBrokenOff(String key, String id, long have) {
        try {
            UploadState now = store.uploadState(id);
            if (!now.complete() && now.received() > have) {
                note(key, id, have);
            }
        } catch (IOException | RuntimeException e) {
            // without the note the uploader sends the blob again from its start after a restart
        }
    }

    /**
     * Notes on the store's upload who writes it: this uploader when it starts the upload, "mixed"
     * once a second one adds to it. Only a sole writer may go on from the stored bytes after a
     * restart without sending them again.
     */
    private void note(String key, String id, long have) throws IOException {
        if (notes == null) {
            return;
        }
        String note = notes.uploadNote(id);
        String next = have == 0 || key.equals(note) ? key : MIXED;
        if (!next.equals(note)) {
            notes.noteUpload(id, next);
        }
    }

    /**
     * The proof of an uploader that comes back after a restart to an upload it wrote alone: its
     * digest is rebuilt from the stored bytes. Null when the upload is not its own.
     */
    private Proof resume(String key, String id, long offset, long total) throws IOException {
        if (notes == null || !key.equals(notes.uploadNote(id))) {
            return null;
        }
        UploadState state = store.uploadState(id);
        if (state.complete() || state.received() != offset) {
            return null;
        }
        Proof proof = proofs.start(key, total);
        synchronized (proof) {
            notes.hashUpload(id, proof.digest, offset);
            proof.received = offset;
        }
        return proof;
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
            byte[] buffer = Hashing.buffer(n);
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
