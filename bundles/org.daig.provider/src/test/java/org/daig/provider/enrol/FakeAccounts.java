package org.daig.provider.enrol;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The coordinator's account endpoints as far as enrolment needs them (docs/security.md), on the
 * JDK's HTTP server: one valid enrolment code, one account with its password, and the device token
 * it hands out. Records every request as "METHOD path Authorization body".
 */
final class FakeAccounts implements AutoCloseable {

    static final String CODE = "ENROL-GOOD-1234";
    static final String ACCOUNT = "vol";
    static final String PASSWORD = "volunteer password 1";
    static final String SESSION_TOKEN = "daig_s1_sessionsecretsessionsecret";
    static final String DEVICE_TOKEN = "daig_d1_devicesecretdevicesecret";

    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final HttpServer server;

    FakeAccounts() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/", this::handle);
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + path + " " + (auth == null ? "-" : auth) + " " + body);
            JsonObject json = body.isEmpty() ? new JsonObject() : JsonParser.parseString(body).getAsJsonObject();
            switch (path) {
            case "/api/v1/login" -> {
                boolean right = ACCOUNT.equals(json.get("user").getAsString()) && PASSWORD.equals(json.get("password").getAsString());
                send(exchange, right ? 200 : 401, right ? "{\"token\": \"" + SESSION_TOKEN + "\", \"tokenId\": \"s1\", \"user\": \"vol\","
                        + " \"roles\": [\"volunteer\"], \"expiresAt\": 4102444800000}" : "{\"error\": \"wrong user or password\"}");
            }
            case "/api/v1/logout" -> send(exchange, 204, "");
            case "/api/v1/devices" -> {
                boolean byCode = json.has("code") && CODE.equals(json.get("code").getAsString());
                boolean byAccount = !json.has("code") && ("Bearer " + SESSION_TOKEN).equals(auth);
                if (byCode || byAccount) {
                    send(exchange, 201, "{\"token\": \"" + DEVICE_TOKEN + "\", \"tokenId\": \"d1\", \"user\": \"" + ACCOUNT + "\", \"device\": "
                            + json.get("deviceId") + ", \"coordinatorId\": \"coordinator-test\"}");
                } else {
                    send(exchange, 403, "{\"error\": \"unknown, used-up or expired enrolment code\"}");
                }
            }
            default -> send(exchange, 404, "{\"error\": \"no " + path + "\"}");
            }
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
