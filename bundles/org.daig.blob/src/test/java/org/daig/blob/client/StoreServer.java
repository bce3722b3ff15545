package org.daig.blob.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.daig.api.blob.BlobException;
import org.daig.api.blob.UploadState;
import org.daig.blob.FileBlobStore;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the real servlet in unit tests: the HEAD/GET/PUT contract of /api/v1/blobs/ on
 * the JDK's small HTTP server, delegating to a {@link FileBlobStore}. It records each request
 * ("HEAD", "GET bytes=100-", "PUT bytes 0-99/300") and can fail one PUT with a 503 once.
 */
final class StoreServer implements AutoCloseable {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    final FileBlobStore store;
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    /** The Authorization header of each request, "-" when it had none. */
    final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    /** The number of the PUT (1 = first) that is answered 503 after its body was read; 0: none. */
    volatile int failPut;
    private final AtomicInteger puts = new AtomicInteger();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    StoreServer(FileBlobStore store) throws IOException {
        this.store = store;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/blobs/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/blobs/");
    }

    long count(String prefix) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.startsWith(prefix)).count();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization == null ? "-" : authorization);
            String id = exchange.getRequestURI().getPath().substring("/api/v1/blobs/".length());
            switch (exchange.getRequestMethod()) {
            case "HEAD" -> head(exchange, id);
            case "GET" -> get(exchange, id);
            case "PUT" -> put(exchange, id);
            default -> exchange.sendResponseHeaders(405, -1);
            }
        }
    }

    private void head(HttpExchange exchange, String id) throws IOException {
        requests.add("HEAD");
        UploadState state = store.uploadState(id);
        exchange.getResponseHeaders().set(state.complete() ? "Content-Length" : "Upload-Offset", Long.toString(state.received()));
        exchange.sendResponseHeaders(state.complete() ? 200 : 404, -1);
    }

    private void get(HttpExchange exchange, String id) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        requests.add(range == null ? "GET" : "GET " + range);
        if (store.find(id).isEmpty()) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        long size = store.find(id).get().size();
        long start = range == null ? 0 : Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
        if (range != null) {
            exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (size - 1) + "/" + size);
        }
        exchange.sendResponseHeaders(range == null ? 200 : 206, size - start == 0 ? -1 : size - start);
        try (InputStream in = store.open(id, start); OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private void put(HttpExchange exchange, String id) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Content-Range");
        requests.add(header == null ? "PUT" : "PUT " + header);
        InputStream body = exchange.getRequestBody();
        if (puts.incrementAndGet() == failPut) {
            body.readAllBytes(); // the bytes arrived, yet the server failed to keep them
            answer(exchange, 503, "{\"error\":\"try again\"}");
            return;
        }
        long start = 0;
        long total = Long.parseLong(exchange.getRequestHeaders().getFirst("Content-Length"));
        if (header != null) {
            Matcher m = CONTENT_RANGE.matcher(header);
            if (!m.matches()) {
                answer(exchange, 400, "{\"error\":\"bad Content-Range\"}");
                return;
            }
            start = Long.parseLong(m.group(1));
            total = Long.parseLong(m.group(3));
        }
        try {
            UploadState state = store.append(id, start, total, body);
            exchange.getResponseHeaders().set("Upload-Offset", Long.toString(state.received()));
            answer(exchange, state.complete() ? 201 : 202, "{}");
        } catch (BlobException e) {
            exchange.getResponseHeaders().set("Upload-Offset", Long.toString(store.uploadState(id).received()));
            int status = switch (e.reason()) {
            case WRONG_OFFSET -> 409;
            case HASH_MISMATCH -> 422;
            case TOO_LARGE -> 413;
            case DISK_FULL -> 507;
            default -> 400;
            };
            answer(exchange, status, "{\"error\":\"" + e.getMessage().replace("\"", "'") + "\"}");
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
