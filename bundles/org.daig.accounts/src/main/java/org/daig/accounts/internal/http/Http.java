package org.daig.accounts.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.daig.accounts.AccountException;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** JSON in and out for the account endpoints: bodies capped, fields checked by name, errors as {@code {"error": ...}}. */
final class Http {

    /** Account requests are a few short fields; anything bigger is refused unread. */
    static final int MAX_BODY = 16 * 1024;
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    /** A request the endpoint refuses, with its status and a message that names the field. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private Http() {
    }

    static void send(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(GSON.toJson(body));
    }

    static void error(HttpServletResponse response, int status, String message) throws IOException {
        send(response, status, Map.of("error", message));
    }

    static void noContent(HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        response.setHeader("Cache-Control", "no-store");
    }

    /** Answers an account refusal: its status, its message, and Retry-After when rate-limited. */
    static void refuse(HttpServletResponse response, AccountException e) throws IOException {
        if (e.reason() == AccountException.Reason.RATE_LIMITED) {
            response.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        error(response, e.reason().httpStatus(), e.getMessage());
    }

    /** The authenticated caller the filter left on the request, or null. */
    static Identity caller(HttpServletRequest request) {
        return request.getAttribute(Identity.REQUEST_ATTRIBUTE) instanceof Identity identity ? identity : null;
    }

    /** The body as a JSON object (an empty body is an empty object). */
    static JsonObject body(HttpServletRequest request) throws IOException, Refused {
        if (request.getContentLengthLong() > MAX_BODY) {
            throw new Refused(413, "the body is over " + MAX_BODY + " bytes");
        }
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new Refused(413, "the body is over " + MAX_BODY + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return new JsonObject();
        }
        try {
            JsonElement element = JsonParser.parseString(text);
            if (!element.isJsonObject()) {
                throw new Refused(400, "send a JSON object");
            }
            return element.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new Refused(400, "the body is not JSON: " + e.getMessage());
        }
    }

    /** A string field; null when absent or JSON null. */
    static String string(JsonObject body, String field) throws Refused {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new Refused(400, field + ": must be a string");
        }
        return e.getAsString();
    }

    static int integer(JsonObject body, String field, int absent) throws Refused {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                double value = e.getAsDouble();
                if (value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE) {
                    return (int) value;
                }
            }
        } catch (NumberFormatException ignored) {
            // falls through to the refusal
        }
        throw new Refused(400, field + ": must be a whole number");
    }

    static Boolean bool(JsonObject body, String field) throws Refused {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new Refused(400, field + ": must be true or false");
        }
        return e.getAsBoolean();
    }

    static List<String> strings(JsonObject body, String field) throws Refused {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return List.of();
        }
        if (!e.isJsonArray()) {
            throw new Refused(400, field + ": must be a list of strings");
        }
        JsonArray array = e.getAsJsonArray();
        if (array.size() > 16) {
            throw new Refused(400, field + ": at most 16 entries");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement item : array) {
            if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
                throw new Refused(400, field + ": must be a list of strings");
            }
            out.add(item.getAsString());
        }
        return out;
    }

    /** Roles as the API writes them: lower-case ids in a fixed order. */
    static List<String> roles(Set<Role> roles) {
        return roles.stream().sorted().map(Role::id).toList();
    }
}
