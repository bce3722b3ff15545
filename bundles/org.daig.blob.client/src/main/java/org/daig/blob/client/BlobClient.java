package org.daig.blob.client;

import org.daig.trust.KnownCoordinators;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Uploads and downloads blobs at a DAIG blob endpoint ({@code http://host:7700/api/v1/blobs/}).
 * Uploads go in chunks with {@code Content-Range} and resume where the server stands, also after
 * this process restarted; downloads resume a {@code .part} file with a {@code Range} request and
 * are verified against the id before they get their name. Network failures and 5xx answers are
 * retried with exponential back-off. Plain Java: usable from a command line tool as well as
 * inside OSGi. Thread-safe.
 *
 * <p>Every request carries {@code Authorization: Bearer <token>} when the client was given a
 * token supplier (asked before each request, so a renewed token is used at once), and has a
 * timeout: {@link #setTimeout} until the answer's headers (plus time for the chunk at
 * {@link #MIN_BYTES_PER_SECOND} for an upload), and as the longest wait for the next bytes of a
 * download. A download stops when the server sends more than the size it announced, or more
 * than {@link #setMaxDownloadBytes}.
 */
public final class BlobClient {

    public static final int DEFAULT_CHUNK_BYTES = 8 << 20;
    /** The slowest an upload may go: a chunk's request may take its bytes at this rate, on top of the timeout. */
    public static final long MIN_BYTES_PER_SECOND = 16 * 1024;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final Duration MAX_DELAY = Duration.ofSeconds(30);
    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final URI base;
    private final HttpClient http;
    private final Supplier<String> bearer;
    private volatile int chunkBytes = DEFAULT_CHUNK_BYTES;
    private volatile int maxAttempts = 5;
    private volatile Duration retryDelay = Duration.ofMillis(500);
    private volatile Duration timeout = Duration.ofSeconds(60);
    private volatile long maxDownloadBytes = Long.MAX_VALUE;

    /** @param baseUri the blob endpoint, e.g. {@code http://host:7700/api/v1/blobs/}; no token is sent */
    public BlobClient(URI baseUri) {
        this(baseUri, (Supplier<String>) null);
    }

    /**
     * @param baseUri the blob endpoint
     * @param bearer  gives the token to send as {@code Authorization: Bearer} before each request; null, or null or
     *                blank from it: none
     */
    public BlobClient(URI baseUri, Supplier<String> bearer) {
        this(baseUri, KnownCoordinators.secure(HttpClient.newBuilder(), baseUri).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build(), bearer);
    }

    /** @param http should have a connect timeout (the JDK's default has none) */
    public BlobClient(URI baseUri, HttpClient http) {
        this(baseUri, http, null);
    }

    public BlobClient(URI baseUri, HttpClient http, Supplier<String> bearer) {
        String text = baseUri.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.http = http;
        this.bearer = bearer;
    }

    public URI baseUri() {
        return base;
    }

    /** Bytes per PUT (default 8 MiB): smaller chunks lose less on a broken connection. */
    public void setChunkBytes(int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunk size must be at least 1 byte, not " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
    }

    /** How often one step is tried before giving up (default 5). */
    public void setMaxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    /** The wait after the first failure (default 500 ms); it doubles with every further one, up to 30 s. */
    public void setRetryDelay(Duration retryDelay) {
        this.retryDelay = retryDelay;
    }

    /** How long an answer's headers, or the next bytes of a download, may take (default 60 s). */
    public void setTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive, not " + timeout);
        }
        this.timeout = timeout;
    }

    /** The largest blob this client downloads (default: no limit beyond the size the server announces). */
    public void setMaxDownloadBytes(long maxDownloadBytes) {
        if (maxDownloadBytes < 0) {
            throw new IllegalArgumentException("the download limit must not be negative, not " + maxDownloadBytes);
        }
        this.maxDownloadBytes = maxDownloadBytes;
    }

    /**
     * Where the server stands on a blob.
     *
     * @param complete whether the server has the whole, verified blob
     * @param bytes    the blob's size when complete, else the bytes of its upload received so far
     */
    public record Status(boolean complete, long bytes) {
    }

    /** Asks the server (HEAD) whether it has the blob, or how much of its upload. */
    public Status status(String id) throws IOException {
        requireId(id);
        HttpResponse<String> response = send(request(id).timeout(timeout).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        int code = response.statusCode();
        if (code == 200) {
            return new Status(true, response.headers().firstValueAsLong("Content-Length").orElse(0));
        }
        if (code == 404) {
            return new Status(false, response.headers().firstValueAsLong("Upload-Offset").orElse(0));
        }
        throw answered(code, "HEAD " + id, null);
    }

    // ---- upload -----------------------------------------------------------------------------

    /**
     * Uploads a file unless the server has it already, resuming an earlier partial upload of the
     * same bytes; returns its id.
     *
     * @param progress told the bytes the server holds after each step (may be null)
     */
    public String upload(Path file, LongConsumer progress) throws IOException {
        LongConsumer report = progress == null ? bytes -> { } : progress;
        String id = sha256(file);
        long size = Files.size(file);
        int failures = 0;
        long best = 0; // the furthest the server ever confirmed: only going beyond it counts as progress
        while (true) {
            try {
                Status status = status(id);
                if (status.complete()) {
                    report.accept(size);
                    return id;
                }
                long offset = status.bytes();
                checkOffset(offset, size, id, file);
                report.accept(offset);
                while (true) {
                    long end = Math.min(size, offset + chunkBytes);
                    HttpResponse<String> response = send(put(id, file, offset, end, size), HttpResponse.BodyHandlers.ofString());
                    int code = response.statusCode();
                    if (code == 201) {
                        report.accept(size);
                        return id;
                    }
                    if (code == 202 || code == 409) { // 409: the server stands elsewhere; go on from there
                        long next = uploadOffset(response, id);
                        if (next > best) {
                            best = next;
                            failures = 0;
                        } else if (++failures >= maxAttempts) { // no progress: do not loop forever
                            throw code == 409 ? answered(code, "PUT " + id, response.body())
                                    : new Refused("coordinator at " + base + " keeps the upload of " + id + " at byte " + next
                                            + " however often it is sent; giving up");
                        }
                        checkOffset(next, size, id, file);
                        offset = next;
                        report.accept(offset);
                        continue;
                    }
                    throw answered(code, "PUT " + id, response.body());
                }
            } catch (Refused e) {
                throw e;
            } catch (IOException e) {
                if (++failures >= maxAttempts) {
                    throw e;
                }
                backOff(failures);
            }
        }
    }

    private void checkOffset(long offset, long size, String id, Path file) throws Refused {
        if (offset < 0 || offset > size) {
            throw new Refused("coordinator at " + base + " holds " + offset + " bytes of the upload of " + id + ", but " + file
                    + " has " + size + ": was the file changed during the upload?");
        }
    }

    private HttpRequest put(String id, Path file, long offset, long end, long size) {
        long length = end - offset;
        HttpRequest.Builder builder = request(id).timeout(timeout.plusSeconds(length / MIN_BYTES_PER_SECOND));
        if (length == 0) {
            return builder.PUT(HttpRequest.BodyPublishers.noBody()).build();
        }
        if (offset > 0 || end < size) {
            builder.header("Content-Range", "bytes " + offset + "-" + (end - 1) + "/" + size);
        }
        // fromPublisher with a length sends Content-Length instead of a chunked body
        return builder.PUT(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> slice(file, offset, length)), length)).build();
    }

    private long uploadOffset(HttpResponse<String> response, String id) throws IOException {
        OptionalLong offset = response.headers().firstValueAsLong("Upload-Offset");
        if (offset.isEmpty()) {
            throw new Refused("the server at " + base + " answered " + response.statusCode() + " to PUT " + id
                    + " without Upload-Offset: is this a DAIG blob endpoint?");
        }
        return offset.getAsLong();
    }

    // ---- download ---------------------------------------------------------------------------

    /**
     * Downloads a blob to {@code target}, resuming {@code target.part} if an earlier download left
     * one, and verifies its SHA-256 before renaming it to {@code target}.
     *
     * @param progress told the bytes on disk as they arrive (may be null)
     */
    public Path download(String id, Path target, LongConsumer progress) throws IOException {
        requireId(id);
        LongConsumer report = progress == null ? bytes -> { } : progress;
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        int failures = 0;
        long best = 0; // the longest the .part ever was: only growing beyond it counts as progress
        while (true) {
            try {
                fetch(id, part, report);
                verify(id, part);
                move(part, target);
                return target;
            } catch (Refused e) {
                throw e;
            } catch (IOException e) {
                long have = Files.exists(part) ? Files.size(part) : 0;
                if (have > best) {
                    best = have;
                    failures = 0;
                }
                if (++failures >= maxAttempts) {
                    throw e;
                }
                backOff(failures);
            }
        }
    }

    /** Brings the .part file to the blob's full length. */
    private void fetch(String id, Path part, LongConsumer report) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder builder = request(id).timeout(timeout).GET();
        if (have > 0) {
            builder.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int code = response.statusCode();
            if (code == 416 && have > 0) {
                long size = totalOf(response.headers().firstValue("Content-Range").orElse(""));
                if (size == have) {
                    return; // the .part is complete already
                }
                Files.delete(part); // longer than the blob: start over
                throw new IOException("the partial download " + part + " was longer than blob " + id + "; starting again");
            }
            if (code == 404) {
                throw new Refused("coordinator at " + base + " has no blob " + id + " for this client (404: it is missing, or not "
                        + "this client's to read)");
            }
            long size;
            if (code == 206) {
                String range = response.headers().firstValue("Content-Range").orElse("");
                if (!range.startsWith("bytes " + have + "-")) {
                    Files.delete(part);
                    throw new IOException("coordinator at " + base + " sent range '" + range + "' for bytes " + have + "- of " + id);
                }
                size = totalOf(range);
            } else if (code == 200) {
                have = 0; // the whole blob came: overwrite the .part
                size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            } else {
                throw answered(code, "GET " + id, new String(body.readNBytes(4096), StandardCharsets.UTF_8));
            }
            checkSize(id, size);
            append(new StallGuard(body, timeout), part, have, size, report);
        }
    }

    /** Refuses a download whose size the server did not announce, or one larger than this client takes. */
    private void checkSize(String id, long size) throws Refused {
        if (size < 0) {
            throw new Refused("coordinator at " + base + " did not announce the size of blob " + id + ": refusing a download of unknown length");
        }
        if (size > maxDownloadBytes) {
            throw new Refused("blob " + id + " at " + base + " has " + size + " bytes, more than the " + maxDownloadBytes
                    + " this client downloads");
        }
    }

    /** Writes the body to the .part from {@code from} on, up to the announced {@code size} and no further. */
    private static void append(InputStream body, Path part, long from, long size, LongConsumer report) throws IOException {
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(from);
            out.position(from);
            byte[] buffer = new byte[BUFFER_BYTES];
            long have = from;
            try {
                for (int n; have < size && (n = body.read(buffer, 0, (int) Math.min(buffer.length, size - have))) >= 0;) {
                    ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                    have += n;
                    report.accept(have);
                }
            } finally {
                out.force(true); // what arrived stays for the next attempt
            }
        }
    }

    private void verify(String id, Path part) throws IOException {
        String actual = sha256(part);
        if (!actual.equals(id)) {
            Files.deleteIfExists(part);
            throw new Refused("blob " + id + " from " + base + " arrived with SHA-256 " + actual + "; the download was discarded");
        }
    }

    private static void move(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static long totalOf(String contentRange) {
        int slash = contentRange.lastIndexOf('/');
        try {
            return slash < 0 ? -1 : Long.parseLong(contentRange.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The lower-case hex SHA-256 of a file's bytes, read in a stream. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM offers no SHA-256", e);
        }
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) >= 0;) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static boolean isId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    private static void requireId(String id) {
        if (!isId(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a blob id: use the lower-case hex SHA-256 of the bytes");
        }
    }

    /** A request for the blob, with the bearer token when there is one (never logged, never in a message). */
    private HttpRequest.Builder request(String id) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(id));
        String token = bearer == null ? null : bearer.get();
        if (token != null && !token.isBlank()) {
            builder.header("Authorization", "Bearer " + token.strip());
        }
        return builder;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while talking to " + base);
        }
    }

    /** A server answer as an exception: worth retrying for 5xx (except a full disk), final otherwise. */
    private IOException answered(int code, String what, String body) {
        String message = "coordinator at " + base + " answered " + code + " to " + what + ": " + errorText(body);
        return code >= 500 && code != 507 ? new IOException(message) : new Refused(message);
    }

    private static String errorText(String body) {
        if (body == null || body.isBlank()) {
            return "(no details)";
        }
        Matcher m = ERROR.matcher(body);
        if (m.find()) {
            return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        String text = body.strip();
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    private void backOff(int failures) throws InterruptedIOException {
        long millis = retryDelay.toMillis() << Math.min(failures - 1, 16);
        try {
            Thread.sleep(Math.min(millis, MAX_DELAY.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry " + base);
        }
    }

    /** {@code length} bytes of a file from {@code offset}; closes itself at the end. */
    private static InputStream slice(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(offset);
            return new SliceInputStream(Channels.newInputStream(channel), length);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final class SliceInputStream extends InputStream {

        private final InputStream in;
        private long left;

        SliceInputStream(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                close();
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                close();
                throw new FileNotFoundException("the file being uploaded got shorter while it was read");
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** A final answer: retrying would get the same one. */
    static final class Refused extends IOException {

        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }
}
