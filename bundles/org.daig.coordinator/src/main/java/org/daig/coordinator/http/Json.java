package org.daig.coordinator.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.daig.wire.FiniteOrNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import jakarta.servlet.http.HttpServletResponse;

/** JSON answers of the HTTP API; numbers that are not finite (not measured yet) are written as null. */
final class Json {

    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().setPrettyPrinting()
            .registerTypeAdapter(double.class, new FiniteOrNull()).registerTypeAdapter(Double.class, FiniteOrNull.boxed()).create();

    private Json() {
    }

    static void send(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(GSON.toJson(body));
    }

    static void error(HttpServletResponse response, int status, String message) throws IOException {
        send(response, status, java.util.Map.of("error", message));
    }
}
