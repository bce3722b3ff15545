package org.daig.requestor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in coordinator on the JDK's small HTTP server. The requestor API answers what a test
 * sets with {@link #answer}; the blob plane is a small in-memory version of the protocol
 * (HEAD → 404 + Upload-Offset or 200, PUT whole or with Content-Range → 202 or 201 once the bytes
 * match their SHA-256). Every request is recorded as "METHOD path?query", request bodies of the
 * project API by "METHOD path".
 */
final class FakeCoordinator implements AutoCloseable {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    record Answer(int status, String body, Map<String, String> headers) {
    }

    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    /** The Authorization header of every request, in order ("-" when none). */
    final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    /** When set, a request without "Bearer " + this is answered 401 (the blob plane too). */
    private volatile String requiredToken;
    final Map<String, String> bodies = new ConcurrentHashMap<>();
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final HttpServer server;

    FakeCoordinator() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/blobs/", this::blob);
        server.createContext("/api/v1/projects", this::project);
        server.createContext("/api/v1/", this::project); // the account endpoints: answered like the projects'
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** What "METHOD /path?query" gets; anything not set is a 404 with an error naming it. */
    FakeCoordinator answer(String request, int status, String body) {
        return answer(request, status, body, Map.of());
    }

    /** The same, with response headers. */
    FakeCoordinator answer(String request, int status, String body, Map<String, String> headers) {
        answers.put(request, new Answer(status, body, headers));
        return this;
    }

    /** From now on only requests with this bearer token are served. */
    FakeCoordinator requireToken(String token) {
        requiredToken = token;
        return this;
    }

    List<String> authorizations() {
        synchronized (authorizations) {
            return List.copyOf(authorizations);
        }
    }

    /** Records the Authorization header; true when the request may go on. */
    private boolean authorized(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "-" : auth);
        String required = requiredToken;
        if (required != null && !("Bearer " + required).equals(auth)) {
            exchange.getRequestBody().readAllBytes();
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(401, -1);
            } else {
                send(exchange, 401, "{\"error\": \"authentication required\"}");
            }
            return false;
        }
        return true;
    }

    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void project(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String request = exchange.getRequestMethod() + " " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            requests.add(request);
            if (!authorized(exchange)) {
                return;
            }
            bodies.put(request, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Answer answer = answers.getOrDefault(request, new Answer(404, "{\"error\": \"nothing at " + request + "\"}", Map.of()));
            answer.headers().forEach(exchange.getResponseHeaders()::set);
            send(exchange, answer.status(), answer.body());
        }
    }

    private void blob(HttpExchange exchange) throws IOException {
        try (exchange) {
            String id = exchange.getRequestURI().getPath().substring("/api/v1/blobs/".length());
            String range = exchange.getRequestHeaders().getFirst("Content-Range");
            requests.add(exchange.getRequestMethod() + " blob " + id + (range == null ? "" : " " + range));
            if (!authorized(exchange)) {
                return;
            }
            switch (exchange.getRequestMethod()) {
            case "HEAD" -> {
                boolean complete = blobs.containsKey(id);
                long bytes = complete ? blobs.get(id).length : uploads.containsKey(id) ? uploads.get(id).size() : 0;
                exchange.getResponseHeaders().set(complete ? "Content-Length" : "Upload-Offset", Long.toString(bytes));
                exchange.sendResponseHeaders(complete ? 200 : 404, -1);
            }
            case "PUT" -> put(exchange, id, range);
            default -> send(exchange, 405, "{\"error\": \"not here\"}");
            }
        }
    }

    private void put(HttpExchange exchange, String id, String range) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        long start = 0;
        long total = body.length;
        if (range != null) {
            Matcher m = CONTENT_RANGE.matcher(range);
            if (!m.matches()) {
                send(exchange, 400, "{\"error\": \"bad Content-Range\"}");
                return;
            }
            start = Long.parseLong(m.group(1));
            total = Long.parseLong(m.group(3));
        }
        ByteArrayOutputStream upload = uploads.computeIfAbsent(id, any -> new ByteArrayOutputStream());
        if (start != upload.size()) {
            exchange.getResponseHeaders().set("Upload-Offset", Integer.toString(upload.size()));
            send(exchange, 409, "{\"error\": \"wrong offset\"}");
            return;
        }
        upload.write(body);
        if (upload.size() < total) {
            exchange.getResponseHeaders().set("Upload-Offset", Integer.toString(upload.size()));
            send(exchange, 202, "{}");
            return;
        }
        uploads.remove(id);
        if (!sha256(upload.toByteArray()).equals(id)) {
            send(exchange, 422, "{\"error\": \"the bytes' hash is not the id\"}");
            return;
        }
        blobs.put(id, upload.toByteArray());
        send(exchange, 201, "{}");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
