package org.daig.trainer.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

import org.daig.experts.ExpertUid;
import org.daig.trainer.TrainerException;
import org.daig.trainer.experts.ExpertHosting;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The worker's expert hosting (issue 18, docs/worker-protocol.md): the host-experts, expert-params
 * and stop-hosting operations over one {@link ExpertHosting} at a time. The experts serve their calls
 * on their own threads while the worker answers other requests; when the provider suspends the worker
 * (the machine is busy), they stop answering too, and trainers mask them until it resumes.
 */
final class HostedExperts {

    private static final int MOST_CELLS = 4_096;

    private ExpertHosting hosting;

    /** Starts hosting the request's cells (replacing what was hosted); {@code initial}: their parameters in cell order, or none. */
    JsonObject host(JsonObject h, float[] initial) throws TrainerException {
        stop();
        JsonArray cellsJson = h.has("cells") && h.get("cells").isJsonArray() ? h.getAsJsonArray("cells") : new JsonArray();
        if (cellsJson.isEmpty() || cellsJson.size() > MOST_CELLS) {
            throw new TrainerException("host-experts needs 1-" + MOST_CELLS + " cells, not " + cellsJson.size());
        }
        List<ExpertUid> cells = new ArrayList<>();
        try {
            for (JsonElement c : cellsJson) {
                cells.add(ExpertUid.parse(c.getAsString()));
            }
            ExpertHosting.Settings s = new ExpertHosting.Settings(cells, number(h, "width"), number(h, "hidden"), text(h, "optimizer"),
                    h.get("lr").getAsDouble(), h.get("seed").getAsLong(), text(h, "token").getBytes(StandardCharsets.UTF_8), text(h, "host"),
                    number(h, "port"), h.has("announce") ? text(h, "announce") : null, number(h, "dhtPort"),
                    h.has("bootstrap") ? text(h, "bootstrap") : null, h.get("announceMillis").getAsLong(), number(h, "maxRows"),
                    h.has("relay") ? relay(h.getAsJsonObject("relay")) : null);
            hosting = ExpertHosting.start(s, initial);
        } catch (IllegalArgumentException | NullPointerException | IllegalStateException | UnsupportedOperationException e) {
            throw new TrainerException("host-experts: " + e.getMessage(), e);
        } catch (IOException | GeneralSecurityException e) {
            throw new TrainerException("host-experts could not start: " + e.getMessage(), e);
        }
        JsonObject r = new JsonObject();
        r.addProperty("port", hosting.port());
        r.addProperty("announced", hosting.announced());
        r.addProperty("dht", hosting.dhtAddress());
        r.addProperty("experts", cells.size());
        return r;
    }

    /** The hosted cells' parameters in cell order, and what the server did. */
    JsonObject parameters() throws TrainerException {
        if (hosting == null) {
            throw new TrainerException("expert-params: no experts are hosted (host-experts first)");
        }
        JsonObject r = new JsonObject();
        JsonArray cells = new JsonArray();
        hosting.cells().forEach(c -> cells.add(c.toString()));
        r.add("cells", cells);
        r.addProperty("served", hosting.server().served());
        r.addProperty("refused", hosting.server().refused());
        return r;
    }

    float[] values() {
        return hosting.parameters();
    }

    /** Stops hosting, if anything is hosted. */
    void stop() {
        if (hosting != null) {
            hosting.close();
            hosting = null;
        }
    }

    /** The relay to serve through; TLS trusting the certificate in caFile (DER or PEM) when it names one. */
    private static ExpertHosting.Relay relay(JsonObject r) throws IOException, GeneralSecurityException {
        return ExpertHosting.Relay.of(text(r, "address"), text(r, "token").getBytes(StandardCharsets.UTF_8), text(r, "name"),
                r.has("caFile") ? Path.of(text(r, "caFile")) : null);
    }

    private static int number(JsonObject h, String name) {
        if (!h.has(name)) {
            throw new IllegalArgumentException("'" + name + "' is missing");
        }
        return h.get(name).getAsInt();
    }

    private static String text(JsonObject h, String name) {
        if (!h.has(name)) {
            throw new IllegalArgumentException("'" + name + "' is missing");
        }
        return h.get(name).getAsString();
    }
}
