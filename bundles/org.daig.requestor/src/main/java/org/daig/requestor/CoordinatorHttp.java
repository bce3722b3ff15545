package org.daig.requestor;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.daig.wire.FiniteOrNull;

import org.daig.trust.KnownCoordinators;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The HTTP both clients share: the coordinator's base address, one HTTP client, the caller's
 * bearer token on every request, and the coordinator's answers turned into exceptions worded for
 * a person (401 as {@link NotAuthenticatedException}).
 */
final class CoordinatorHttp {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Reads and actions are small; a coordinator that takes longer is stuck, and a workbench should not wait forever. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    /** The most of an answer read into memory: every JSON answer is small; a larger one is not a coordinator's. */
    static final int MAX_ANSWER_BYTES = 16 << 20;

    static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping()
            .registerTypeAdapter(double.class, new FiniteOrNull()).registerTypeAdapter(Double.class, FiniteOrNull.boxed()).create();

    private final URI coordinator;
    private final HttpClient http;
    private final String token;

    /**
     * @param coordinator the base address, e.g. {@code http://127.0.0.1:7700} (a trailing slash is fine)
     * @param token       the bearer token to send, or null for none
     */
    CoordinatorHttp(URI coordinator, String token) {
        this.coordinator = base(coordinator);
        this.token = token == null || token.isBlank() ? null : token.strip();
        // HTTP/1.1 like BlobClient: the coordinator's Jetty speaks it, and one client serves both
        this.http = KnownCoordinators.secure(HttpClient.newBuilder(), this.coordinator).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** The address without trailing slashes; only http(s) with a host. */
    static URI base(URI coordinator) {
        String text = coordinator.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        URI base = URI.create(text);
        if (!("http".equalsIgnoreCase(base.getScheme()) || "https".equalsIgnoreCase(base.getScheme())) || base.getHost() == null) {
            throw new IllegalArgumentException("the coordinator's address must look like http://host:7700, not '" + coordinator + "'");
        }
        return base;
    }

    URI coordinator() {
        return coordinator;
    }

    HttpClient client() {
        return http;
    }

    String token() {
        return token;
    }

    /** A request to {@code path} (from the root, e.g. {@code /api/v1/projects}) carrying the token. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(coordinator + path));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    String getJson(String path) throws RequestorException {
        HttpRequest request = request(path).timeout(ANSWER_TIMEOUT).header("Accept", "application/json").GET().build();
        return expect(answer(request), 200);
    }

    /** POSTs {@code body} as JSON (none when null) and answers the response's body if its status is {@code status}. */
    String postJson(String path, Object body, int status) throws RequestorException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(GSON.toJson(body), StandardCharsets.UTF_8);
        HttpRequest request = request(path).timeout(ANSWER_TIMEOUT).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(publisher).build();
        return expect(answer(request), status);
    }

    /** An answer's status, headers and body (at most {@link #MAX_ANSWER_BYTES} of it, as text). */
    record Answer(int status, HttpHeaders headers, String body) {
    }

    /** Sends the request and reads the answer's body, refusing one larger than any DAIG answer. */
    Answer answer(HttpRequest request) throws RequestorException {
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
            if (bytes.length > MAX_ANSWER_BYTES) {
                throw new RequestorException("the coordinator at " + coordinator + " sent an answer larger than "
                        + (MAX_ANSWER_BYTES >> 20) + " MiB to " + request.method() + " " + request.uri().getRawPath()
                        + ": is it a DAIG coordinator?");
            }
            return new Answer(response.statusCode(), response.headers(), new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RequestorException("lost the connection to the coordinator at " + coordinator + ": " + describe(e), e);
        }
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws RequestorException {
        try {
            return http.send(request, handler);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unreachable(e);
        } catch (HttpTimeoutException e) {
            throw new RequestorException("the coordinator at " + coordinator + " did not answer in time (" + request.method() + " "
                    + request.uri().getRawPath() + ")", e);
        } catch (IOException e) {
            throw new RequestorException("lost the connection to the coordinator at " + coordinator + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestorException("interrupted while waiting for the coordinator at " + coordinator, e);
        }
    }

    RequestorException unreachable(IOException e) {
        return new RequestorException("cannot reach the coordinator at " + coordinator + " (is it running?)", RequestorException.NO_ANSWER,
                true, e);
    }

    /** The answer's body if it has the expected status, else the coordinator's error as an exception. */
    String expect(Answer answer, int status) throws RequestorException {
        if (answer.status() != status) {
            throw answered(answer.status(), answer.body());
        }
        return answer.body();
    }

    /**
     * The coordinator's error answer as an exception: 401 as {@link NotAuthenticatedException}; 404 keeps the
     * coordinator's words ("no project p-9"), as another account's project answers 404 too.
     */
    RequestorException answered(int status, String body) {
        String error = errorText(body);
        return switch (status) {
        case 401 -> new NotAuthenticatedException(coordinator, token != null, error);
        case 403 -> new RequestorException("the coordinator at " + coordinator + " answered 403: " + error
                + " (this account may not do that)", status, false, null);
        default -> new RequestorException("the coordinator at " + coordinator + " answered " + status + ": " + error, status, false, null);
        };
    }

    /** The server's {@code error} field, else the body itself, shortened. */
    static String errorText(String body) {
        if (body == null || body.isBlank()) {
            return "(no details)";
        }
        try {
            JsonElement error = JsonParser.parseString(body).getAsJsonObject().get("error");
            if (error != null && error.isJsonPrimitive()) {
                return shortened(error.getAsString());
            }
        } catch (JsonParseException | IllegalStateException notJson) {
            // an HTML error page, a proxy's text: show it as it is
        }
        return shortened(body.strip());
    }

    private static String shortened(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    <T> T parse(String json, Type type, String what) throws RequestorException {
        try {
            T value = GSON.fromJson(json, type);
            if (value == null) {
                throw new JsonParseException("empty answer");
            }
            return value;
        } catch (JsonParseException | IllegalStateException e) {
            throw new RequestorException("the coordinator at " + coordinator + " sent " + what + " in a form this client does not understand ("
                    + describe(e) + "): is it a DAIG coordinator of the same version?", e);
        }
    }

    static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
