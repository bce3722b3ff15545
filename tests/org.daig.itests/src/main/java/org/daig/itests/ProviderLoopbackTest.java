package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonParser;

/**
 * The provider's loopback port changes nothing for a web page: a POST without the local token, or
 * from another site's page, is refused and participation stays as it was; the volunteer's own
 * request with the token goes through.
 */
class ProviderLoopbackTest {

    private final Grid grid = new Grid();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() throws Exception {
        grid.close();
    }

    private boolean participating(String base) {
        return Grid.eventually("the provider's work status", () -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/provider/work")).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 ? JsonParser.parseString(r.body()).getAsJsonObject().get("participating").getAsBoolean() : null;
            } catch (Exception notYet) {
                return null;
            }
        });
    }

    @Test
    void aWebPageCannotSwitchParticipation() throws Exception {
        String base = grid.httpBase();
        boolean before = participating(base);
        String flip = base + (before ? "/api/provider/stop" : "/api/provider/participate");

        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(flip)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noToken.statusCode(), noToken.body());
        assertEquals(before, participating(base), "a POST without the local token changed participation");

        HttpRequest withToken = Grid.providerPost(flip);
        HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(withToken, (name, value) -> true)
                .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, crossSite.statusCode(), crossSite.body());
        assertEquals(before, participating(base), "a cross-site POST changed participation");

        HttpResponse<String> own = http.send(withToken, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, own.statusCode(), own.body());
        assertTrue(participating(base) != before, "the volunteer's own request with the token switches participation");

        http.send(Grid.providerPost(base + (before ? "/api/provider/participate" : "/api/provider/stop")), HttpResponse.BodyHandlers.ofString());
        assertEquals(before, participating(base), "put back as it was");
    }
}
