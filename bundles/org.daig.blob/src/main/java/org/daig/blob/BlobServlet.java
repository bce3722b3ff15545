package org.daig.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.daig.api.account.Identity;
import org.daig.api.blob.BlobAccess;
import org.daig.api.blob.BlobException;
import org.daig.api.blob.BlobInfo;
import org.daig.api.blob.BlobStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The blob plane over HTTP, {@code /api/v1/blobs/{id}}: GET (with a single byte range), HEAD (size,
 * or where the caller's unfinished upload stands) and PUT (a whole blob or one chunk of a resumable
 * upload). There is no DELETE: only the coordinator removes blobs. docs/protocol.md has the details.
 *
 * <p>Every request needs the caller's identity, which the authentication filter leaves on it (401
 * without), and {@link BlobAccess} decides: a blob the caller may not read answers 404, exactly
 * like a missing one; an upload it may not make answers 403, or 413 when only its size is the
 * problem (the upload or the account's quota), and nothing of it is stored. An upload becomes the
 * caller's only when its own bytes hash to the id ({@link Uploads}). Without a BlobAccess service
 * the servlet does not start: nothing is served unchecked.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/v1/blobs/*",
        "osgi.http.whiteboard.servlet.name=daig-blobs" })
public class BlobServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BlobServlet.class);
    static final String UPLOAD_OFFSET = "Upload-Offset";
    private static final int SC_INSUFFICIENT_STORAGE = 507;
    private static final String ALLOWED = "GET, HEAD, PUT";

    private final transient Gson gson = new GsonBuilder().disableHtmlEscaping().create();

    @Reference
    private transient BlobStore store;

    @Reference
    private transient BlobAccess access;

    private transient Uploads uploads;

    /** For Declarative Services. */
    public BlobServlet() {
    }

    /** Outside OSGi (e.g. an embedded server in a tool, a test). */
    public BlobServlet(BlobStore store, BlobAccess access) {
        this.store = store;
        this.access = access;
        activate();
    }

    @Activate
    void activate() {
        uploads = new Uploads(store, access, new UploadProofs(System::currentTimeMillis));
    }

    /** Nobody without an identity gets further, whatever the method. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        if (caller(request) == null) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"daig\"");
            refuse(request, response, pathId(request), HttpServletResponse.SC_UNAUTHORIZED,
                    "sign in first: send Authorization: Bearer <token>");
            return;
        }
        super.service(request, response);
    }

    private static Identity caller(HttpServletRequest request) {
        return request.getAttribute(Identity.REQUEST_ATTRIBUTE) instanceof Identity identity ? identity : null;
    }

    // ---- GET and HEAD -------------------------------------------------------------------------

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String id = idOf(request, response);
        if (id == null) {
            return;
        }
        Optional<BlobInfo> blob = access.mayRead(caller(request), id) ? store.find(id) : Optional.empty();
        if (blob.isEmpty()) { // a blob the caller may not read is missing for it: its id stays secret
            refuse(request, response, id, HttpServletResponse.SC_NOT_FOUND, "no blob " + id + " here: upload it with PUT first");
            return;
        }
        long size = blob.get().size();
        blobHeaders(response, id);
        if (matches(request.getHeader("If-None-Match"), id)) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        ByteRange range = ByteRange.parse(request.getHeader("Range"), size);
        if (range != null && !range.satisfiable()) {
            response.setHeader("Content-Range", "bytes */" + size);
            refuse(request, response, id, HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE,
                    "the range '" + FileBlobStore.shorten(request.getHeader("Range")) + "' starts past the end of blob " + id
                            + " (" + size + " bytes): ask for bytes below " + size);
            return;
        }
        long start = range == null ? 0 : range.start();
        long length = range == null ? size : range.length();
        if (range != null) {
            response.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
            response.setHeader("Content-Range", "bytes " + range.start() + "-" + range.end() + "/" + size);
        } else {
            response.setStatus(HttpServletResponse.SC_OK);
        }
        response.setContentLengthLong(length);
        InputStream in;
        try {
            in = store.open(id, start);
        } catch (BlobException e) { // deleted between find and open
            refuse(request, response, id, status(e), e.getMessage());
            return;
        }
        try (in) {
            copy(in, response.getOutputStream(), length);
        } catch (IOException e) {
            LOG.debug("GET {} ended early: {}", id, e.toString()); // usually the client went away
        }
    }

    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String id = idOf(request, response);
        if (id == null) {
            return;
        }
        Identity caller = caller(request);
        Optional<BlobInfo> blob = access.mayRead(caller, id) ? store.find(id) : Optional.empty();
        if (blob.isPresent()) {
            blobHeaders(response, id);
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentLengthLong(blob.get().size());
            return;
        }
        // where the caller's own upload stands, never another's
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader(UPLOAD_OFFSET, Long.toString(uploads.received(caller, id)));
    }

    private static void blobHeaders(HttpServletResponse response, String id) {
        response.setHeader("ETag", "\"" + id + "\"");
        response.setHeader("Accept-Ranges", "bytes");
        response.setContentType("application/octet-stream");
        // A blob's bytes never change under its id, so any cache may keep them forever.
        response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    }

    private static boolean matches(String ifNoneMatch, String id) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.equals("*") || t.equals("\"" + id + "\"") || t.equals("W/\"" + id + "\"")) {
                return true;
            }
        }
        return false;
    }

    // ---- PUT ------------------------------------------------------------------------------------

    @Override
    protected void doPut(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String id = idOf(request, response);
        if (id == null) {
            return;
        }
        long contentLength = request.getContentLengthLong();
        String header = request.getHeader("Content-Range");
        long offset;
        long total;
        long length;
        if (header == null) {
            if (contentLength < 0) {
                refuse(request, response, id, HttpServletResponse.SC_LENGTH_REQUIRED,
                        "send a whole blob with Content-Length, or a chunk with Content-Range: bytes first-last/total");
                return;
            }
            offset = 0;
            total = contentLength;
            length = contentLength;
        } else {
            ChunkRange chunk;
            try {
                chunk = ChunkRange.parse(header);
            } catch (IllegalArgumentException e) {
                refuse(request, response, id, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
                return;
            }
            if (contentLength >= 0 && contentLength != chunk.length()) {
                refuse(request, response, id, HttpServletResponse.SC_BAD_REQUEST, "Content-Length " + contentLength
                        + " does not match Content-Range '" + header.trim() + "' (" + chunk.length()
                        + " bytes): send exactly the bytes of the range");
                return;
            }
            offset = chunk.start();
            total = chunk.total();
            length = chunk.length();
        }
        Identity caller = caller(request);
        // a look at the store first: most uploads are new blobs, and the access check costs database reads
        Optional<BlobInfo> existing = store.find(id).filter(blob -> access.mayRead(caller, id));
        if (existing.isPresent()) { // the caller has it already: nothing to send, nothing changes
            created(request, response, id, existing.get().size(), length > 0);
            return;
        }
        Optional<String> refusal = access.refuseUpload(caller, id, total);
        if (refusal.isPresent()) {
            // a refusal an empty upload would not get is about the size (the upload's, or the quota): 413
            int status = total > 0 && access.refuseUpload(caller, id, 0).isEmpty() ? HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE
                    : HttpServletResponse.SC_FORBIDDEN;
            refuse(request, response, id, status, refusal.get());
            return;
        }
        ChunkInput body = new ChunkInput(request.getInputStream(), length);
        Uploads.Outcome outcome;
        try {
            outcome = uploads.put(caller, id, offset, total, body);
        } catch (IOException e) {
            LOG.warn("PUT {} failed to store: {}", id, e.toString());
            response.setHeader("Connection", "close");
            error(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the server could not store blob " + id + " ("
                    + e.getMessage() + "); try again later or tell the coordinator's operator");
            return;
        }
        if (outcome.status() == HttpServletResponse.SC_CREATED) {
            created(request, response, id, total, body.unread());
        } else if (outcome.status() == HttpServletResponse.SC_ACCEPTED) {
            if (body.unread()) {
                response.setHeader("Connection", "close");
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", id);
            json.put("received", outcome.received());
            json.put("total", total);
            response.setHeader(UPLOAD_OFFSET, Long.toString(outcome.received()));
            json(response, HttpServletResponse.SC_ACCEPTED, json);
        } else {
            response.setHeader(UPLOAD_OFFSET, Long.toString(outcome.received()));
            refuse(request, response, id, outcome.status(), outcome.error());
        }
    }

    private void created(HttpServletRequest request, HttpServletResponse response, String id, long size, boolean unread) throws IOException {
        if (unread) {
            // Answered without reading the whole body: the connection cannot carry another request,
            // so say so, or a client that reuses it (the JDK's HttpClient does) finds it closed under its next request.
            response.setHeader("Connection", "close");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("size", size);
        response.setHeader("Location", request.getRequestURI());
        json(response, HttpServletResponse.SC_CREATED, json);
    }

    // ---- what is not offered -----------------------------------------------------------------

    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Allow", ALLOWED);
        refuse(request, response, pathId(request), HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                "blobs cannot be deleted over HTTP: the coordinator removes them when no project needs them");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Allow", ALLOWED);
        refuse(request, response, pathId(request), HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                "upload blobs with PUT /api/v1/blobs/{sha-256 of the bytes}");
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The id in the path, or null after answering 400 for a missing or malformed one. */
    private String idOf(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String id = pathId(request);
        if (BlobStore.isValidId(id)) {
            return id;
        }
        refuse(request, response, id, HttpServletResponse.SC_BAD_REQUEST, id.isEmpty()
                ? "name a blob: /api/v1/blobs/{lower-case hex SHA-256 of its bytes}"
                : "'" + FileBlobStore.shorten(id) + "' is not a blob id: use the lower-case hex SHA-256 of the bytes (64 characters)");
        return null;
    }

    /** Text from the request (an id, a message quoting it) without control characters: one log line stays one line. */
    private static String loggable(String text) {
        return text == null ? "" : text.replaceAll("\\p{Cntrl}", "?");
    }

    private static String pathId(HttpServletRequest request) {
        String path = request.getPathInfo();
        return path == null ? "" : path.startsWith("/") ? path.substring(1) : path;
    }

    static int status(BlobException e) {
        return switch (e.reason()) {
        case BAD_ID -> HttpServletResponse.SC_BAD_REQUEST;
        case NOT_FOUND -> HttpServletResponse.SC_NOT_FOUND;
        case WRONG_OFFSET -> HttpServletResponse.SC_CONFLICT;
        case HASH_MISMATCH -> 422; // Unprocessable Content
        case TOO_LARGE -> HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE;
        case DISK_FULL -> SC_INSUFFICIENT_STORAGE;
        };
    }

    /** Logs a refusal in one line (with who asked) and answers it with a JSON error. */
    private void refuse(HttpServletRequest request, HttpServletResponse response, String id, int status, String message) throws IOException {
        Identity caller = caller(request);
        String who = caller == null ? "anonymous" : caller.user() + (caller.device() == null ? "" : "/" + caller.device());
        if (status >= 500) {
            LOG.warn("{} blob {} by {} refused with {}: {}", request.getMethod(), loggable(FileBlobStore.shorten(id)), who, status,
                    loggable(message));
        } else {
            LOG.info("{} blob {} by {} refused with {}: {}", request.getMethod(), loggable(FileBlobStore.shorten(id)), who, status,
                    loggable(message));
        }
        if ("PUT".equals(request.getMethod())) {
            response.setHeader("Connection", "close"); // the refused body may be unread: the connection cannot be reused
        }
        error(response, status, message);
    }

    private void error(HttpServletResponse response, int status, String message) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        json(response, status, Map.<String, Object>of("error", message));
    }

    private void json(HttpServletResponse response, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = gson.toJson(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = Hashing.buffer(length);
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the blob file ended " + left + " bytes early");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /** The request body limited to the chunk's length; remembers whether reading it failed (the client's fault). */
    static final class ChunkInput extends InputStream {

        private final InputStream in;
        private final long length;
        private long left;
        private boolean failed;

        ChunkInput(InputStream in, long length) {
            this.in = in;
            this.length = length;
            this.left = length;
        }

        /** The chunk's announced length. */
        long length() {
            return length;
        }

        /** Whether bytes of the request body were left unread (e.g. the blob already existed). */
        boolean unread() {
            return left > 0;
        }

        boolean failed() {
            return failed;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            try {
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }
}
