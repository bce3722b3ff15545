package org.daig.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The ready line's promise is that its URL answers: the probe must tell "served" from "not yet". */
class ReadyLineTest {

    /** A context of {@code server} that answers every request with {@code status} (and no body). */
    private static void answer(HttpServer server, String path, int status) {
        server.createContext(path, exchange -> {
            if (status == 401) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"daig\"");
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
    }

    @Test
    void anOkOrAGuardedAnswerCountsAsServing() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        answer(server, "/api/status", 200);
        answer(server, "/api/guarded", 401);
        answer(server, "/api/broken", 503);
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertTrue(ReadyLine.answers(base + "/api/status"));
            assertTrue(ReadyLine.answers(base + "/api/guarded"), "a 401 (the authentication filter in front of the servlet) is up");
            assertFalse(ReadyLine.answers(base + "/api/other"), "a 404 (servlet not yet in Jetty) is not ready");
            assertFalse(ReadyLine.answers(base + "/api/broken"), "a 503 is not ready");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aPlaneTheStatusNamesMustBeServedToo() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        answer(server, "/api/v1/projects", 401);
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            List<String> planes = List.of("/api/v1/blobs/", "/api/v1/projects");
            assertEquals(List.of("/api/v1/blobs/"), ReadyLine.notServing(base, planes), "the blob plane is still starting (404)");
            answer(server, "/api/v1/blobs/", 401);
            assertEquals(List.of(), ReadyLine.notServing(base, planes));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aServletOfAnotherBundleThatJoinsTheLineMustBeServedToo() throws IOException {
        ReadyLine line = new ReadyLine();
        line.addCompanion(null, Map.of("service.id", 7L, ReadyLine.WITH, "coordinator", "osgi.http.whiteboard.servlet.pattern", ""));
        line.addCompanion(null, Map.of("service.id", 8L, ReadyLine.WITH, "coordinator",
                "osgi.http.whiteboard.servlet.pattern", new String[] {"/console", "/console/*"}));
        line.addCompanion(null, Map.of("service.id", 9L, ReadyLine.WITH, "provider", "osgi.http.whiteboard.servlet.pattern", "/tray/*"));
        assertEquals(List.of("/", "/console"), line.companionPaths("coordinator"));
        assertEquals(List.of("/tray/"), line.companionPaths("provider"));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        answer(server, "/console", 200);
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            answer(server, "/", 404); // Jetty's answer while the console's root is not registered yet
            assertEquals(List.of("/"), ReadyLine.notServing(base, line.companionPaths("coordinator")), "the console's root still answers 404");
            server.removeContext("/");
            answer(server, "/", 200);
            assertEquals(List.of(), ReadyLine.notServing(base, line.companionPaths("coordinator")));
        } finally {
            server.stop(0);
        }
        line.removeCompanion(null, Map.of("service.id", 7L));
        assertEquals(List.of("/console"), line.companionPaths("coordinator"), "a bundle that stops no longer holds the line");
    }

    @Test
    void aPatternIsProbedAtThePathItServes() {
        assertEquals("/", ReadyLine.probePath(""));
        assertEquals("/", ReadyLine.probePath("/*"));
        assertEquals("/console/", ReadyLine.probePath("/console/*"));
        assertEquals("/api/status", ReadyLine.probePath("/api/status"));
        assertEquals(null, ReadyLine.probePath("*.jsp"));
    }

    @Test
    void aPortNobodyListensOnIsNotReady() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertFalse(ReadyLine.answers("http://127.0.0.1:" + port + "/api/status"));
    }
}
