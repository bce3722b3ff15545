package org.daig.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in coordinator on the JDK's HTTP server: answers what a test sets per "METHOD /path"
 * (404 otherwise) and records every request with its Authorization header and body. With
 * {@link #requireToken} it answers 401 to any request without that bearer token, like the
 * coordinator's authentication filter.
 */
final class FakeCoordinator implements AutoCloseable {

    /** One request as it arrived. */
    record Request(String line, String authorization, String body) {
    }

    private record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private volatile String requiredToken;

    FakeCoordinator() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    FakeCoordinator answer(String line, int status, String body) {
        answers.put(line, new Answer(status, body));
        return this;
    }

    FakeCoordinator requireToken(String token) {
        requiredToken = token;
        return this;
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    List<String> lines() {
        return requests().stream().map(Request::line).toList();
    }

    Request last(String line) {
        return requests().stream().filter(r -> r.line().equals(line)).reduce((a, b) -> b).orElseThrow(
                () -> new AssertionError("no " + line + " among " + lines()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getRawQuery();
            String line = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(line, auth, body));
            String required = requiredToken;
            Answer answer = required != null && !("Bearer " + required).equals(auth) && !line.equals("POST /api/v1/login")
                    ? new Answer(401, "{\"error\": \"authentication required\"}")
                    : answers.getOrDefault(line, new Answer(404, "{\"error\": \"nothing at " + line + "\"}"));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
