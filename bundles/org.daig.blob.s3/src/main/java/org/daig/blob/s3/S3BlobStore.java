package org.daig.blob.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobException.Reason;
import org.daig.api.blob.BlobInfo;
import org.daig.api.blob.BlobStore;
import org.daig.api.blob.UploadState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs in an S3 bucket: {@code <prefix>blobs/<id>} once complete. An object appears under that
 * key only by a single PUT or by completing a multipart upload, and either happens only after the
 * bytes' SHA-256, computed here on the way in, matched the id: nothing unverified is ever visible.
 *
 * <p>Uploads arrive in chunks of any size; S3 wants parts of at least 5 MiB. So the bytes of an
 * unfinished upload that do not yet fill a part wait in a local file ({@link LocalCache#tail}),
 * and each full part goes to the upload's S3 multipart upload at once, followed by its record
 * ({@link UploadRecord}: parts and SHA-256 state). After a restart the upload stands at its sent
 * parts plus the local partial part; a store on another machine (no local file) stands at the
 * last whole part, and the uploader sends the rest again. {@link #file} downloads into a bounded
 * local cache, verifying the hash again.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {

    static final int BUFFER_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    private static final long LOOKUP_WARNING_NANOS = 60_000_000_000L;
    /** The id the health check looks up: all zeros, a blob nobody can make. */
    private static final String HEALTH_PROBE = "0".repeat(64);

    private volatile long lastLookupWarning = System.nanoTime() - LOOKUP_WARNING_NANOS - 1;

    private final S3Settings settings;
    private final Bucket bucket;
    private final LocalCache local;
    private final Abandoned abandoned;
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

    /** What this process knows about an unfinished upload; the record in S3 and the local tail are its durable state. */
    static final class Upload {
        final ReentrantLock lock = new ReentrantLock();
        boolean loaded;
        UploadRecord record;
        SHA256Digest digest;
        long tailBytes;
        volatile long received;
        volatile long total;
    }

    /**
     * Connects and checks that the bucket can be used.
     *
     * @throws IOException whose message names the setting to fix when S3 cannot be used
     */
    public S3BlobStore(S3Settings settings) throws IOException {
        this(settings, Clock.systemUTC());
    }

    S3BlobStore(S3Settings settings, Clock clock) throws IOException {
        this.settings = settings;
        this.local = new LocalCache(settings.localDir(), settings.cacheMaxBytes(), clock);
        Bucket connected = new Bucket(settings);
        try {
            connected.check();
        } catch (IOException | RuntimeException e) {
            connected.close();
            throw e;
        }
        this.bucket = connected;
        this.abandoned = new Abandoned(this, bucket, local, settings.abandonAfter(), clock);
    }

    S3Settings settings() {
        return settings;
    }

    String blobKey(String id) {
        return bucket.key("blobs/" + id);
    }

    String recordKey(String id) {
        return bucket.key("uploads/" + id + ".json");
    }

    /** Removes unfinished uploads nobody added to for abandonedUploadHours, and trims the cache. */
    public void removeAbandonedUploads() {
        abandoned.sweep();
        local.trim();
    }

    @Override
    public void close() {
        bucket.close();
    }

    // ---- reading ----------------------------------------------------------------------------

    @Override
    public Optional<BlobInfo> find(String id) {
        if (!BlobStore.isValidId(id)) {
            return Optional.empty();
        }
        try {
            Optional<Path> cached = local.blob(id);
            if (cached.isPresent()) {
                return Optional.of(new BlobInfo(id, Files.size(cached.get())));
            }
            OptionalLong size = bucket.size(blobKey(id));
            return size.isPresent() ? Optional.of(new BlobInfo(id, size.getAsLong())) : Optional.empty();
        } catch (IOException e) {
            long now = System.nanoTime();
            if (now - lastLookupWarning > LOOKUP_WARNING_NANOS) { // one line a minute while S3 is away, not one per lookup
                lastLookupWarning = now;
                LOG.warn("Cannot look up blob {} (it counts as missing until S3 answers again): {}", id, e.getMessage());
            } else {
                LOG.debug("Cannot look up blob {}: {}", id, e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** The bucket answers a lookup (of a key that need not exist). */
    @Override
    public boolean healthy() {
        try {
            bucket.size(blobKey(HEALTH_PROBE));
            return true;
        } catch (IOException e) {
            LOG.debug("S3 does not answer: {}", e.getMessage());
            return false;
        }
    }

    /**
     * {@inheritDoc} Downloads the blob into the local cache when it is not there; when S3 cannot be
     * read the blob counts as not found, with a message that says why.
     */
    @Override
    public Path file(String id) throws BlobException {
        checkId(id);
        Optional<Path> cached = local.blob(id);
        if (cached.isPresent()) {
            return cached.get();
        }
        try {
            return download(id);
        } catch (BlobException e) {
            throw e;
        } catch (IOException e) {
            throw new BlobException(Reason.NOT_FOUND, "blob " + id + " cannot be fetched from S3 now: " + e.getMessage());
        }
    }

    private Path download(String id) throws IOException {
        Path temp = local.newTemp("download");
        try {
            SHA256Digest digest = new SHA256Digest();
            try (InputStream in = bucket.read(blobKey(id), 0).orElseThrow(() -> notFound(id));
                    FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[BUFFER_BYTES];
                for (int n; (n = in.read(buffer)) >= 0;) {
                    writeFully(out, buffer, n);
                    digest.update(buffer, 0, n);
                }
                out.force(true);
            }
            String actual = hex(digest);
            if (!actual.equals(id)) {
                throw new IOException("the object " + blobKey(id) + " in bucket " + settings.bucket() + " has SHA-256 " + actual
                        + ", not " + id + ": it was changed outside DAIG; delete it and upload the blob again");
            }
            Optional<Path> admitted = local.admit(temp, id);
            if (admitted.isEmpty()) {
                throw new IOException("blob " + id + " is larger than the local cache (cacheMaxBytes in " + S3StoreConfig.PID
                        + "): raise cacheMaxBytes so local readers can have it");
            }
            return admitted.get();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public InputStream open(String id, long offset) throws IOException {
        checkId(id);
        if (offset < 0) {
            throw new IllegalArgumentException("offset " + offset + " is outside blob " + id);
        }
        Optional<Path> cached = local.blob(id);
        if (cached.isPresent()) {
            FileChannel channel = FileChannel.open(cached.get(), StandardOpenOption.READ);
            if (offset > channel.size()) {
                long size = channel.size();
                channel.close();
                throw new IllegalArgumentException("offset " + offset + " is outside blob " + id + " of " + size + " bytes");
            }
            channel.position(offset);
            return Channels.newInputStream(channel);
        }
        try {
            return bucket.read(blobKey(id), offset).orElseThrow(() -> notFound(id));
        } catch (IllegalArgumentException pastTheEnd) { // S3 answers 416 for a range that starts at the end
            long size = bucket.size(blobKey(id)).orElseThrow(() -> notFound(id));
            if (offset == size) {
                return InputStream.nullInputStream();
            }
            throw new IllegalArgumentException("offset " + offset + " is outside blob " + id + " of " + size + " bytes");
        }
    }

    // ---- writing a whole blob ---------------------------------------------------------------

    @Override
    public BlobInfo write(InputStream in) throws IOException {
        Path temp = local.newTemp("write");
        try {
            SHA256Digest digest = new SHA256Digest();
            long size = 0;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[BUFFER_BYTES];
                for (int n; (n = in.read(buffer)) >= 0;) {
                    size += n;
                    if (size > settings.maxBlobBytes()) {
                        throw tooLarge("this blob", size);
                    }
                    writeFully(out, buffer, n);
                    digest.update(buffer, 0, n);
                }
                out.force(true);
            }
            String id = hex(digest);
            if (find(id).isEmpty()) {
                send(temp, size, id);
            }
            local.admit(temp, id); // the writer (the coordinator) often reads it back soon
            return new BlobInfo(id, size);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public BlobInfo importFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file to import into the blob store");
        }
        long size = Files.size(file);
        if (size > settings.maxBlobBytes()) {
            throw tooLarge(file.toString(), size);
        }
        SHA256Digest digest = new SHA256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            for (int n; (n = in.read(buffer)) >= 0;) {
                digest.update(buffer, 0, n);
            }
        }
        String id = hex(digest);
        if (find(id).isEmpty()) {
            send(file, size, id);
        }
        return new BlobInfo(id, size);
    }

    /** Sends a verified local file as blob {@code id}: one PUT up to a part's size, else a multipart upload. */
    private void send(Path file, long size, String id) throws IOException {
        String key = blobKey(id);
        if (size <= settings.partSize()) {
            bucket.put(key, file, 0, size);
            return;
        }
        String uploadId = bucket.startMultipart(key);
        boolean done = false;
        try {
            java.util.List<String> etags = new java.util.ArrayList<>();
            for (long offset = 0; offset < size; offset += settings.partSize()) {
                etags.add(bucket.putPart(key, uploadId, etags.size() + 1, file, offset, Math.min(settings.partSize(), size - offset)));
            }
            bucket.complete(key, uploadId, etags);
            done = true;
        } finally {
            if (!done) {
                abortQuietly(key, uploadId);
            }
        }
    }

    // ---- resumable uploads ------------------------------------------------------------------

    /**
     * {@inheritDoc} When S3 cannot be read this throws an {@link java.io.UncheckedIOException}
     * (the interface allows only refusals the caller caused): the HTTP plane answers 500.
     */
    @Override
    public UploadState uploadState(String id) throws BlobException {
        checkId(id);
        try {
            return stateOf(id);
        } catch (BlobException e) {
            throw e;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    private UploadState stateOf(String id) throws IOException {
        Optional<BlobInfo> blob = find(id);
        if (blob.isPresent()) {
            return new UploadState(id, blob.get().size(), blob.get().size(), true);
        }
        Upload known = uploads.get(id);
        if (known != null && known.loaded) {
            return new UploadState(id, known.received, known.total, false);
        }
        Upload upload = lock(id);
        try {
            load(id, upload);
            return new UploadState(id, upload.received, upload.total, false);
        } finally {
            if (upload.received == 0 && upload.record == null) {
                uploads.remove(id, upload); // nothing to remember
            }
            upload.lock.unlock();
        }
    }

    /**
     * {@inheritDoc} Reads at most {@code total - offset} bytes of {@code chunk}; a chunk for a blob
     * the store already has is not read at all.
     */
    @Override
    public UploadState append(String id, long offset, long total, InputStream chunk) throws IOException {
        checkId(id);
        if (offset < 0 || total < 0) {
            throw new IllegalArgumentException("offset " + offset + " and total " + total + " must not be negative");
        }
        if (total > settings.maxBlobBytes()) {
            throw tooLarge("blob " + id, total);
        }
        Optional<BlobInfo> existing = find(id);
        if (existing.isPresent()) {
            return new UploadState(id, existing.get().size(), existing.get().size(), true);
        }
        Upload upload = lock(id);
        boolean retire = false;
        try {
            existing = find(id); // another upload of the same bytes may have finished while we waited
            if (existing.isPresent()) {
                retire = true;
                return new UploadState(id, existing.get().size(), existing.get().size(), true);
            }
            load(id, upload);
            if (offset != upload.received) {
                throw new BlobException(Reason.WRONG_OFFSET, "the upload of " + id + " stands at byte " + upload.received + ", not at "
                        + offset + ": send the bytes from " + upload.received + " on");
            }
            if (upload.received > total) {
                throw new BlobException(Reason.WRONG_OFFSET, "the upload of " + id + " already holds " + upload.received
                        + " bytes, more than the announced total of " + total + ": announce the blob's real size");
            }
            upload.total = total;
            try {
                receive(id, upload, total, chunk);
            } catch (IOException | RuntimeException e) {
                upload.loaded = false; // the next access rebuilds the state from S3 and the local file
                throw e;
            }
            if (upload.received < total) {
                return new UploadState(id, upload.received, total, false);
            }
            retire = true;
            try {
                return finish(id, upload, total);
            } catch (IOException | RuntimeException e) {
                if (!(e instanceof BlobException)) {
                    retire = false;
                    upload.loaded = false;
                }
                throw e;
            }
        } finally {
            if (retire) {
                uploads.remove(id, upload);
            }
            upload.lock.unlock();
        }
    }

    /** Rebuilds what this process knows of an upload from its record in S3 and its local partial part. */
    private void load(String id, Upload upload) throws IOException {
        if (upload.loaded) {
            return;
        }
        UploadRecord record = bucket.bytes(recordKey(id)).map(UploadRecord::parse).orElse(null);
        long sent = record == null ? 0 : record.partBytes();
        SHA256Digest digest = record == null || record.etags.isEmpty() ? new SHA256Digest() : new SHA256Digest(record.digestState());
        Path tail = local.tail(id, sent);
        for (Path other : local.tails(id)) {
            if (!other.equals(tail)) {
                Files.deleteIfExists(other); // a part that was sent meanwhile, or an upload that started over
            }
        }
        long tailBytes = 0;
        if (Files.exists(tail)) {
            try (InputStream in = Files.newInputStream(tail)) {
                byte[] buffer = new byte[BUFFER_BYTES];
                for (int n; (n = in.read(buffer)) >= 0 && tailBytes < partSize(record);) {
                    int use = (int) Math.min(n, partSize(record) - tailBytes);
                    digest.update(buffer, 0, use);
                    tailBytes += use;
                }
            }
        }
        upload.record = record;
        upload.digest = digest;
        upload.tailBytes = tailBytes;
        upload.received = sent + tailBytes;
        upload.total = record == null ? upload.total : Math.max(record.total, upload.received);
        upload.loaded = true;
    }

    private long partSize(UploadRecord record) {
        return record == null ? settings.partSize() : record.partSize;
    }

    /** Writes the chunk into the local partial part, sending each part to S3 as soon as it is full. */
    private void receive(String id, Upload upload, long total, InputStream chunk) throws IOException {
        long partSize = partSize(upload.record);
        byte[] buffer = new byte[BUFFER_BYTES];
        while (upload.received < total) {
            if (upload.tailBytes == partSize) {
                sendPart(id, upload);
            }
            long sent = upload.received - upload.tailBytes;
            int n;
            try (FileChannel out = FileChannel.open(local.tail(id, sent), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                out.position(upload.tailBytes);
                try {
                    while (upload.tailBytes < partSize && upload.received < total) {
                        n = chunk.read(buffer, 0, (int) Math.min(buffer.length, Math.min(partSize - upload.tailBytes, total - upload.received)));
                        if (n < 0) {
                            return;
                        }
                        writeFully(out, buffer, n);
                        upload.digest.update(buffer, 0, n);
                        upload.tailBytes += n;
                        upload.received += n;
                    }
                } finally {
                    out.force(true); // keep what arrived, also when the chunk's stream broke
                }
            }
        }
    }

    /** Sends the full local partial part as the upload's next S3 part, then records it. */
    private void sendPart(String id, Upload upload) throws IOException {
        String key = blobKey(id);
        if (upload.record == null) {
            UploadRecord record = new UploadRecord();
            record.uploadId = bucket.startMultipart(key);
            record.total = upload.total;
            record.partSize = settings.partSize();
            bucket.put(recordKey(id), record.toJson()); // first, so an upload that goes no further can still be found and aborted
            upload.record = record;
        }
        UploadRecord record = upload.record;
        long sent = record.partBytes();
        Path tail = local.tail(id, sent);
        String etag = bucket.putPart(key, record.uploadId, record.etags.size() + 1, tail, 0, record.partSize);
        UploadRecord next = record.withPart(etag, upload.digest.getEncodedState());
        next.total = upload.total;
        bucket.put(recordKey(id), next.toJson());
        upload.record = next;
        upload.tailBytes = 0;
        Files.deleteIfExists(tail);
    }

    /** All bytes are here: a matching hash makes the blob visible, a mismatch discards the upload. */
    private UploadState finish(String id, Upload upload, long total) throws IOException {
        String actual = hex(new SHA256Digest(upload.digest));
        UploadRecord record = upload.record;
        Path tail = local.tail(id, total - upload.tailBytes);
        if (!actual.equals(id)) {
            discard(id, record);
            throw new BlobException(Reason.HASH_MISMATCH, "the upload of " + id + " was discarded: its " + total
                    + " bytes have SHA-256 " + actual + ", not " + id + "; upload the file under its real SHA-256");
        }
        String key = blobKey(id);
        if (record == null) {
            if (!Files.exists(tail)) {
                Files.createFile(tail); // an empty blob
            }
            bucket.put(key, tail, 0, upload.tailBytes);
            local.admit(tail, id); // the whole blob was here: keep it for local readers
        } else {
            java.util.List<String> etags = new java.util.ArrayList<>(record.etags);
            if (upload.tailBytes > 0) {
                etags.add(bucket.putPart(key, record.uploadId, etags.size() + 1, tail, 0, upload.tailBytes));
            }
            bucket.complete(key, record.uploadId, etags);
            bucket.delete(recordKey(id));
        }
        local.removeTails(id);
        return new UploadState(id, total, total, true);
    }

    /** Drops an unfinished upload: its S3 parts, its record and its local partial part. */
    void discard(String id, UploadRecord record) throws IOException {
        if (record != null) {
            bucket.abort(blobKey(id), record.uploadId);
            bucket.delete(recordKey(id));
        }
        local.removeTails(id);
    }

    @Override
    public void delete(String id) throws IOException {
        checkId(id);
        Upload upload = lock(id);
        try {
            load(id, upload);
            discard(id, upload.record);
            bucket.delete(blobKey(id));
            local.remove(id);
        } finally {
            uploads.remove(id, upload);
            upload.lock.unlock();
        }
    }

    /** The upload's record, locked, for the sweeper: null when a chunk is arriving right now. */
    Upload tryLock(String id) {
        Upload upload = uploads.computeIfAbsent(id, k -> new Upload());
        if (!upload.lock.tryLock()) {
            return null;
        }
        if (uploads.get(id) != upload) {
            upload.lock.unlock();
            return null;
        }
        return upload;
    }

    void release(String id, Upload upload, boolean forget) {
        if (forget) {
            uploads.remove(id, upload);
        }
        upload.lock.unlock();
    }

    // ---- per-id locking ---------------------------------------------------------------------

    private Upload lock(String id) throws InterruptedIOException {
        while (true) {
            Upload upload = uploads.computeIfAbsent(id, k -> new Upload());
            try {
                upload.lock.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for another upload of " + id);
            }
            if (uploads.get(id) == upload) {
                return upload;
            }
            upload.lock.unlock(); // retired while we waited
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void abortQuietly(String key, String uploadId) {
        try {
            bucket.abort(key, uploadId);
        } catch (IOException e) {
            LOG.warn("Could not abort the multipart upload of {}: {}", key, e.getMessage());
        }
    }

    static String hex(SHA256Digest digest) {
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return HexFormat.of().formatHex(out);
    }

    private static void writeFully(FileChannel out, byte[] buffer, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    private BlobException notFound(String id) {
        return new BlobException(Reason.NOT_FOUND, "no blob " + id + " in bucket " + settings.bucket() + " at " + settings.where());
    }

    private BlobException tooLarge(String what, long size) {
        return new BlobException(Reason.TOO_LARGE, what + " has " + size + " bytes, more than the " + settings.maxBlobBytes()
                + " this store accepts (maxBlobBytes in " + S3Settings.BLOB_PID + ")");
    }

    static void checkId(String id) throws BlobException {
        if (!BlobStore.isValidId(id)) {
            String shown = id == null ? "" : id.length() <= 80 ? id : id.substring(0, 77) + "...";
            throw new BlobException(Reason.BAD_ID, "'" + shown + "' is not a blob id: use the lower-case hex SHA-256 of the bytes (64 characters)");
        }
    }
}
