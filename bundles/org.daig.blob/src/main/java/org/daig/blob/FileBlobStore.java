package org.daig.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobException.Reason;
import org.daig.api.blob.BlobInfo;
import org.daig.api.blob.BlobStore;
import org.daig.api.blob.UploadState;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs as files: {@code <dir>/<first two hex chars>/<id>} once complete,
 * {@code <dir>/uploads/<first two hex chars>/<id>.part} while an upload is unfinished (the file is the upload's whole
 * state, so uploads survive a restart), {@code <dir>/tmp/} for {@link #write} in progress. A blob
 * appears only by an atomic link (or rename) after its bytes were forced to disk and their hash matched, so
 * a crash never leaves a wrong or half-written blob under an id. The exception is an upload that
 * need not be durable (a provider's result): it is not forced, so it survives the process dying
 * but a power cut may leave it missing or short, which its readers check. Everything is streamed
 * through 64 KiB buffers, whatever the blob's size.
 *
 * <p>The default store; {@link BlobStoreSwitch} turns it off when {@code store=s3}.
 */
@Component(service = BlobStore.class, configurationPid = BlobStoreConfig.PID, enabled = false) // BlobStoreSwitch enables it
public class FileBlobStore implements BlobStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileBlobStore.class);
    /** Free space is re-checked this often while a long stream is written (it may shrink meanwhile). */
    private static final long SPACE_CHECK_BYTES = 64L << 20;
    /** Files in tmp/ untouched this long belong to a process that died while writing. */
    private static final Duration STALE_TEMP = Duration.ofHours(1);

    private Path root;
    private Path uploadsDir;
    private Path tmpDir;
    /** Names of temporary files: this store's start time and a count. */
    private final String tempNamesSince = Long.toString(System.currentTimeMillis(), 36);
    private final AtomicLong tempNames = new AtomicLong();
    private FileStore disk;
    private long maxBlobBytes;
    private long minFreeBytes;
    private final Map<String, RunningUpload> running = new ConcurrentHashMap<>();
    /** An unfinished upload untouched this long is abandoned: its .part file is deleted. */
    private Duration abandonAfter = Duration.ofHours(24);
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService sweeper;

    /** For Declarative Services; {@link #activate} chooses the folder. */
    public FileBlobStore() {
    }

    /** A store outside OSGi (tools, tests): blobs under {@code dir}, created if missing. */
    public FileBlobStore(Path dir, long maxBlobBytes, long minFreeBytes) throws IOException {
        open(dir, maxBlobBytes, minFreeBytes);
    }

    /** As above, with the time after which unfinished uploads are abandoned, and the clock that tells it. */
    FileBlobStore(Path dir, long maxBlobBytes, long minFreeBytes, Duration abandonAfter, Clock clock) throws IOException {
        this.abandonAfter = abandonAfter;
        this.clock = clock;
        open(dir, maxBlobBytes, minFreeBytes);
    }

    @Activate
    void activate(BundleContext context, BlobStoreConfig config) throws IOException {
        if (config.abandonedUploadHours() < 1) {
            throw new IllegalArgumentException("abandonedUploadHours in " + BlobStoreConfig.PID + " must be at least 1, not "
                    + config.abandonedUploadHours());
        }
        abandonAfter = Duration.ofHours(config.abandonedUploadHours());
        open(resolveFolder(config.dir(), context.getProperty("daig.data.dir")), config.maxBlobBytes(), config.minFreeBytes());
        // a fraction of the limit, so an abandoned upload goes within a quarter of its time more
        long every = Math.max(1, Math.min(60, abandonAfter.toMinutes() / 4));
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daig-blob-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::removeAbandonedUploads, every, every, TimeUnit.MINUTES);
        LOG.info("Blob store at {} (largest blob {} bytes, keeps {} bytes free, unfinished uploads kept {} h)", root, maxBlobBytes,
                minFreeBytes, abandonAfter.toHours());
    }

    @Deactivate
    void deactivate() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    @Override
    public boolean healthy() {
        Path folder = root;
        return folder != null && Files.isDirectory(folder) && Files.isWritable(folder) && Files.isDirectory(tmpDir)
                && Files.isWritable(tmpDir);
    }

    /** The configured folder, else blobs/ in the data folder. */
    static Path resolveFolder(String configured, String dataDir) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        return Path.of(dataDir == null || dataDir.isBlank() ? "daig-data" : dataDir, "blobs");
    }

    private void open(Path dir, long maxBytes, long minFree) throws IOException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBlobBytes in " + BlobStoreConfig.PID + " must be at least 1, not " + maxBytes);
        }
        if (minFree < 0) {
            throw new IllegalArgumentException("minFreeBytes in " + BlobStoreConfig.PID + " must be 0 or more, not " + minFree);
        }
        root = dir.toAbsolutePath().normalize();
        uploadsDir = root.resolve("uploads");
        tmpDir = root.resolve("tmp");
        try {
            Files.createDirectories(uploadsDir);
            Files.createDirectories(tmpDir);
        } catch (IOException e) {
            throw new IOException("cannot create the blob folder " + root + " (" + e + "): set dir in " + BlobStoreConfig.PID
                    + " to a writable folder", e);
        }
        disk = Files.getFileStore(root);
        maxBlobBytes = maxBytes;
        minFreeBytes = minFree;
        moveFlatUploads();
        removeStaleTemps();
        removeAbandonedUploads();
    }

    /** Unfinished uploads of a store before uploads/ had a folder per two hex characters move into theirs, to resume there. */
    private void moveFlatUploads() {
        try (DirectoryStream<Path> flat = Files.newDirectoryStream(uploadsDir, "*.{part,note}")) {
            for (Path file : flat) {
                String name = file.getFileName().toString();
                if (BlobStore.isValidId(name.substring(0, name.length() - ".part".length()))) {
                    Path target = uploadFolder(name);
                    Files.move(file, target.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) { // the store works without them: those uploads start again from their first byte
            LOG.warn("Could not move the unfinished uploads in {} into their folders: {}", uploadsDir, e.toString());
        }
    }

    /** The files in uploads/ matching {@code glob}, folder by folder. */
    private List<Path> uploadFiles(String glob) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(uploadsDir, folder -> Files.isDirectory(folder))) {
            for (Path folder : folders) {
                try (DirectoryStream<Path> inside = Files.newDirectoryStream(folder, glob)) {
                    inside.forEach(files::add);
                }
            }
        }
        return files;
    }

    /**
     * Deletes the .part files of uploads nobody added to for {@link #abandonAfter}: an upload
     * left unfinished must not hold disk space for ever. An append in progress is never cut off.
     */
    void removeAbandonedUploads() {
        Instant before = clock.instant().minus(abandonAfter);
        try {
            for (Path part : uploadFiles("*.part")) {
                String id = part.getFileName().toString().replace(".part", "");
                RunningUpload upload = running.computeIfAbsent(id, k -> new RunningUpload());
                if (!upload.lock.tryLock()) {
                    continue; // a chunk is arriving right now
                }
                try {
                    if (Files.getLastModifiedTime(part).toInstant().isBefore(before)) {
                        long size = Files.size(part);
                        Files.deleteIfExists(part);
                        Files.deleteIfExists(notePath(id));
                        running.remove(id, upload);
                        LOG.info("Removed the unfinished upload of blob {} ({} bytes): nothing was added to it for {} h", id, size,
                                abandonAfter.toHours());
                    } else if (upload.total == 0 && upload.digest == null) {
                        running.remove(id, upload); // only made for this check
                    }
                } finally {
                    upload.lock.unlock();
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not look for abandoned uploads in {}: {}", uploadsDir, e.toString());
        }
        removeOrphanNotes(before);
    }

    /** Notes whose upload never got a byte (or is gone) go after the same time as abandoned uploads. */
    private void removeOrphanNotes(Instant before) {
        try {
            for (Path note : uploadFiles("*.note")) {
                String id = note.getFileName().toString().replace(".note", "");
                if (!Files.exists(partPath(id)) && Files.getLastModifiedTime(note).toInstant().isBefore(before)) {
                    Files.deleteIfExists(note);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not look for stale upload notes in {}: {}", uploadsDir, e.toString());
        }
    }

    private void removeStaleTemps() {
        Instant before = Instant.now().minus(STALE_TEMP);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(tmpDir)) {
            removeOlder(temps, before);
        } catch (IOException e) {
            LOG.warn("Could not clean {}: {}", tmpDir, e.toString());
        }
        try (DirectoryStream<Path> flat = Files.newDirectoryStream(uploadsDir, "*.tmp")) {
            removeOlder(flat, before); // notes being written by an older store
            removeOlder(uploadFiles("*.tmp"), before); // notes being written
        } catch (IOException e) {
            LOG.warn("Could not clean {}: {}", uploadsDir, e.toString());
        }
    }

    private static void removeOlder(Iterable<Path> files, Instant before) throws IOException {
        for (Path file : files) {
            if (Files.getLastModifiedTime(file).toInstant().isBefore(before)) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The store's folder. */
    public Path folder() {
        return root;
    }

    // ---- reading ----------------------------------------------------------------------------

    @Override
    public Optional<BlobInfo> find(String id) {
        if (!BlobStore.isValidId(id)) {
            return Optional.empty();
        }
        long size = sizeIfPresent(blobPath(id));
        return size < 0 ? Optional.empty() : Optional.of(new BlobInfo(id, size));
    }

    @Override
    public Path file(String id) throws BlobException {
        checkId(id);
        Path file = blobPath(id);
        if (!Files.isRegularFile(file)) {
            throw new BlobException(Reason.NOT_FOUND, "no blob " + id + " in " + root);
        }
        return file;
    }

    @Override
    public InputStream open(String id, long offset) throws IOException {
        Path file = file(id);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BlobException(Reason.NOT_FOUND, "no blob " + id + " in " + root);
        }
        long size = channel.size();
        if (offset < 0 || offset > size) {
            channel.close();
            throw new IllegalArgumentException("offset " + offset + " is outside blob " + id + " of " + size + " bytes");
        }
        channel.position(offset);
        return Channels.newInputStream(channel);
    }

    // ---- writing a whole blob ---------------------------------------------------------------

    @Override
    public BlobInfo write(InputStream in) throws IOException {
        requireSpace(0);
        Path temp = newTempFile(tmpDir, "write-");
        boolean published = false;
        try {
            MessageDigest digest = Hashing.sha256();
            long size = 0;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[Hashing.BUFFER_BYTES];
                long nextSpaceCheck = SPACE_CHECK_BYTES;
                for (int n; (n = in.read(buffer)) >= 0;) {
                    size += n;
                    if (size > maxBlobBytes) {
                        throw tooLarge("this blob", size);
                    }
                    if (size >= nextSpaceCheck) {
                        requireSpace(0);
                        nextSpaceCheck += SPACE_CHECK_BYTES;
                    }
                    writeFully(out, buffer, n);
                    digest.update(buffer, 0, n);
                }
                out.force(true);
            } catch (IOException e) {
                throw diskFullOr(e);
            }
            String id = Hashing.hex(digest.digest());
            publish(temp, id, true);
            published = true;
            return new BlobInfo(id, size);
        } finally {
            if (!published) {
                deleteQuietly(temp);
            }
        }
    }

    @Override
    public BlobInfo importFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file to import into the blob store");
        }
        long size = Files.size(file);
        if (size > maxBlobBytes) {
            throw tooLarge(file.toString(), size);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return write(in);
        }
    }

    // ---- resumable uploads ------------------------------------------------------------------

    @Override
    public UploadState uploadState(String id) throws BlobException {
        checkId(id);
        Optional<BlobInfo> blob = find(id);
        if (blob.isPresent()) {
            return new UploadState(id, blob.get().size(), blob.get().size(), true);
        }
        RunningUpload upload = running.get(id);
        return new UploadState(id, partSize(id), upload == null ? 0 : upload.total, false);
    }

    /**
     * {@inheritDoc} Reads at most {@code total - offset} bytes of {@code chunk}; a chunk for a blob
     * the store already has is not read at all.
     */
    @Override
    public UploadState append(String id, long offset, long total, InputStream chunk) throws IOException {
        return append(id, offset, total, chunk, true);
    }

    @Override
    public UploadState append(String id, long offset, long total, InputStream chunk, boolean durable) throws IOException {
        checkId(id);
        if (offset < 0 || total < 0) {
            throw new IllegalArgumentException("offset " + offset + " and total " + total + " must not be negative");
        }
        if (total > maxBlobBytes) {
            throw tooLarge("blob " + id, total);
        }
        Optional<BlobInfo> existing = find(id);
        if (existing.isPresent()) {
            return new UploadState(id, existing.get().size(), existing.get().size(), true);
        }
        RunningUpload upload = lock(id);
        boolean retire = false; // true once the upload is over, either way
        try {
            existing = find(id); // another upload of the same id may have finished while we waited
            if (existing.isPresent()) {
                retire = true;
                return new UploadState(id, existing.get().size(), existing.get().size(), true);
            }
            Path part = partPath(id);
            long received = partSize(id);
            if (offset != received) {
                throw new BlobException(Reason.WRONG_OFFSET, "the upload of " + id + " stands at byte " + received + ", not at "
                        + offset + ": send the bytes from " + received + " on (HEAD answers Upload-Offset)");
            }
            if (total < received) {
                throw new BlobException(Reason.WRONG_OFFSET, "the upload of " + id + " already holds " + received
                        + " bytes, more than the announced total of " + total + ": announce the blob's real size");
            }
            upload.total = total;
            requireSpace(total - received);
            uploadFolder(id);
            ensureDigest(upload, part, received);
            received = receive(upload, part, received, total, chunk, durable);
            if (received < total) {
                return new UploadState(id, received, total, false);
            }
            try {
                UploadState done = finish(upload, id, part, total, durable);
                retire = true;
                return done;
            } catch (BlobException mismatch) {
                retire = true;
                throw mismatch;
            }
        } finally {
            unlock(id, upload, retire);
        }
    }

    /** Makes the upload's digest cover the .part's bytes, re-reading them if this process did not see them arrive. */
    private static void ensureDigest(RunningUpload upload, Path part, long received) throws IOException {
        if (upload.digest != null && upload.hashed == received) {
            return;
        }
        MessageDigest digest = Hashing.sha256();
        if (received > 0) {
            Hashing.update(digest, part, received);
        }
        upload.digest = digest;
        upload.hashed = received;
    }

    /**
     * Appends the chunk to the .part file and returns the bytes kept, forced to disk when
     * {@code durable}. Whatever arrived before the chunk's stream broke stays (forced), so the
     * uploader resumes from there; a failed write is cut back to the last whole buffer so file and
     * digest agree.
     */
    private long receive(RunningUpload upload, Path part, long received, long total, InputStream chunk, boolean durable)
            throws IOException {
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.position(received);
            byte[] buffer = Hashing.buffer(total - received);
            long nextSpaceCheck = received + SPACE_CHECK_BYTES;
            boolean whole = false;
            try {
                while (received < total) {
                    int n = chunk.read(buffer, 0, (int) Math.min(buffer.length, total - received));
                    if (n < 0) {
                        break;
                    }
                    if (received >= nextSpaceCheck) {
                        requireSpace(total - received);
                        nextSpaceCheck += SPACE_CHECK_BYTES;
                    }
                    try {
                        writeFully(out, buffer, n);
                    } catch (IOException e) {
                        cutBack(out, received, upload);
                        throw diskFullOr(e);
                    }
                    upload.digest.update(buffer, 0, n);
                    upload.hashed += n;
                    received += n;
                }
                whole = true;
            } finally {
                if (!whole) {
                    forceQuietly(out); // keep what arrived when the stream broke
                }
            }
            if (durable) {
                out.force(true); // once: each fsync costs tens of milliseconds on a busy disk
            }
        }
        return received;
    }

    /** Hashes the complete upload; a match makes it the blob, a mismatch discards it. */
    private UploadState finish(RunningUpload upload, String id, Path part, long total, boolean durable) throws IOException {
        MessageDigest digest = upload.digest != null && upload.hashed == total ? upload.digest : null;
        if (digest == null) {
            digest = Hashing.sha256();
            Hashing.update(digest, part, total);
        }
        String actual = Hashing.hex(digest.digest());
        upload.forgetDigest();
        if (!actual.equals(id)) {
            Files.deleteIfExists(part);
            Files.deleteIfExists(notePath(id));
            throw new BlobException(Reason.HASH_MISMATCH, "the upload of " + id + " was discarded: its " + total
                    + " bytes have SHA-256 " + actual + ", not " + id + "; upload the file under its real SHA-256");
        }
        publish(part, id, durable);
        Path note = notePath(id);
        if (Files.exists(note)) { // most uploads never had one; a delete of nothing would still lock the uploads folder
            Files.deleteIfExists(note);
        }
        return new UploadState(id, total, total, true);
    }

    @Override
    public void delete(String id) throws IOException {
        checkId(id);
        RunningUpload upload = lock(id);
        try {
            Files.deleteIfExists(blobPath(id));
            Files.deleteIfExists(partPath(id));
            Files.deleteIfExists(notePath(id));
        } finally {
            unlock(id, upload, true);
        }
    }

    // ---- who sends an upload (the blob servlet's proofs of possession survive a restart) -------

    /** The note left on an unfinished upload (who sent its bytes so far), or null; it goes with the upload. */
    String uploadNote(String id) throws IOException {
        checkId(id);
        try {
            return Files.readString(notePath(id), java.nio.charset.StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * A new empty file in the store's own tmp folder, readable by this user only. Its name needs to
     * be unique, not secret: {@link Files#createTempFile} draws names from the JVM's SecureRandom,
     * whose Linux default reads /dev/urandom under one lock for the whole JVM, and thousands of
     * uploads a second queued on it behind each other and the task exchange.
     */
    private Path newTempFile(Path dir, String prefix) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        while (true) {
            Path temp = dir.resolve(prefix + tempNamesSince + "-" + tempNames.incrementAndGet() + ".tmp");
            try {
                return posix ? Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                        : Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                // left by another process on the same folder: take the next number
            }
        }
    }

    /** Leaves a note on an unfinished upload (replaced atomically). */
    void noteUpload(String id, String note) throws IOException {
        checkId(id);
        // written beside the note and renamed within that folder: a rename between folders locks the whole file system
        Path temp = newTempFile(uploadFolder(id), "note-");
        try {
            Files.writeString(temp, note, java.nio.charset.StandardCharsets.UTF_8);
            Files.move(temp, notePath(id), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Feeds the first {@code length} bytes of the unfinished upload of {@code id} to {@code digest}. */
    void hashUpload(String id, MessageDigest digest, long length) throws IOException {
        checkId(id);
        Hashing.update(digest, partPath(id), length);
    }

    private Path notePath(String id) {
        return uploadsDir.resolve(id.substring(0, 2)).resolve(id + ".note");
    }

    /**
     * The folder of an upload's files, made if missing. One folder per two hex characters, as for
     * blobs: every file made, forced or deleted changes its folder under the folder's lock, and
     * with all uploads in one folder a round of thousands queued there behind each other's disk writes.
     */
    private Path uploadFolder(String idOrName) throws IOException {
        Path folder = uploadsDir.resolve(idOrName.substring(0, 2));
        if (!Files.isDirectory(folder)) { // there after the first upload of its 256: a test, not an exception
            Files.createDirectories(folder);
        }
        return folder;
    }

    // ---- per-id locking ---------------------------------------------------------------------

    /** Locks the id's current upload record; waits while another append of the same id runs. */
    private RunningUpload lock(String id) throws InterruptedIOException {
        while (true) {
            RunningUpload upload = running.computeIfAbsent(id, k -> new RunningUpload());
            try {
                upload.lock.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for another upload of " + id);
            }
            if (running.get(id) == upload) {
                return upload;
            }
            upload.lock.unlock(); // retired while we waited: take the record that is current now
        }
    }

    private void unlock(String id, RunningUpload upload, boolean retire) {
        if (retire) {
            running.remove(id, upload);
        }
        upload.lock.unlock();
    }

    // ---- files --------------------------------------------------------------------------------

    private Path blobPath(String id) {
        return root.resolve(id.substring(0, 2)).resolve(id);
    }

    private Path partPath(String id) {
        return uploadsDir.resolve(id.substring(0, 2)).resolve(id + ".part");
    }

    /**
     * The file's size, or -1 when there is no such file. A missing file is the common case in an
     * upload's checks (the blob and its .part, several times each), so this asks java.io.File, which
     * answers it without an exception: {@link Files#size} throws NoSuchFileException, and on Java 17
     * even {@link Files#notExists} makes and catches one inside, microseconds of stack walking each.
     */
    private static long sizeIfPresent(Path file) {
        java.io.File plain = file.toFile();
        long size = plain.length(); // 0 for a missing file as for an empty one
        if (size > 0) {
            return size;
        }
        return plain.exists() ? plain.length() : -1; // read again: a blob published in between is complete
    }

    private long partSize(String id) {
        return Math.max(0, sizeIfPresent(partPath(id)));
    }

    /**
     * Gives a verified file (forced, when durable) the blob's name; drops it if the blob is there already. By a
     * hard link and then an unlink, not a rename: on Linux a rename between two folders holds a lock
     * of the whole file system, and behind the journal's flushes for other uploads' fsyncs a round
     * of thousands of uploads queued on it (85 % of the upload threads' samples). A link locks only
     * the blob's own folder. Where links are not supported, it renames.
     */
    private void publish(Path verified, String id, boolean durable) throws IOException {
        Path target = blobPath(id);
        if (Files.exists(target)) {
            Files.deleteIfExists(verified);
            return;
        }
        if (!Files.isDirectory(target.getParent())) { // there after the first blob of its 256: a test, not an exception
            Files.createDirectories(target.getParent());
        }
        try {
            Files.createLink(target, verified);
            Files.deleteIfExists(verified);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(verified); // the same bytes arrived by another way meanwhile
            return;
        } catch (UnsupportedOperationException | IOException noLinks) {
            rename(verified, target);
        }
        if (durable) {
            syncDirectory(target.getParent());
        }
    }

    private static void rename(Path verified, Path target) throws IOException {
        try {
            Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(verified);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + verified + " to " + target + " atomically: keep the blob folder on one file system", e);
        }
    }

    /** Makes the rename itself durable where the platform allows it (Linux, macOS; not Windows). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // not supported here; the rename is still atomic, only its durability is up to the OS
        }
    }

    private static void writeFully(FileChannel out, byte[] buffer, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    private static void cutBack(FileChannel out, long length, RunningUpload upload) {
        try {
            out.truncate(length);
        } catch (IOException e) {
            upload.forgetDigest(); // the file may hold bytes the digest lacks: re-hash next time
        }
    }

    private static void forceQuietly(FileChannel out) {
        try {
            out.force(true);
        } catch (IOException e) {
            // the original failure is the one to report
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", file, e.toString());
        }
    }

    // ---- refusals -----------------------------------------------------------------------------

    private static void checkId(String id) throws BlobException {
        if (!BlobStore.isValidId(id)) {
            throw new BlobException(Reason.BAD_ID,
                    "'" + shorten(id) + "' is not a blob id: use the lower-case hex SHA-256 of the bytes (64 characters)");
        }
    }

    private BlobException tooLarge(String what, long size) {
        return new BlobException(Reason.TOO_LARGE, what + " has " + size + " bytes, more than the " + maxBlobBytes
                + " this store accepts (maxBlobBytes in " + BlobStoreConfig.PID + ")");
    }

    /** Refuses when writing {@code bytes} more would leave less than minFreeBytes free. */
    private void requireSpace(long bytes) throws IOException {
        long usable = disk.getUsableSpace();
        if (usable - bytes < minFreeBytes) {
            throw new BlobException(Reason.DISK_FULL, "not enough disk space for blobs in " + root + ": " + usable + " bytes free, "
                    + bytes + " needed and " + minFreeBytes + " kept free (minFreeBytes in " + BlobStoreConfig.PID + "); free some space");
        }
    }

    private IOException diskFullOr(IOException e) {
        if (e instanceof BlobException) {
            return e;
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("No space left") || message.contains("not enough space") || message.contains("Disk quota exceeded")) {
            return new BlobException(Reason.DISK_FULL, "the disk of the blob folder " + root + " is full (" + message + "); free some space");
        }
        return e;
    }

    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
