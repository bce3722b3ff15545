package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.SplittableRandom;

import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A provider training a real task, whose idle policy flips to "busy": its worker JVM must be
 * stopped (SIGSTOP, state T) within one second of the policy change, and run again when the
 * policy allows. Coordinator, provider, monitor and worker are the real components in one framework.
 */
class PauseTest {

    private final Grid grid = new Grid();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() throws Exception {
        grid.close();
    }

    private JsonObject work(String base) throws Exception {
        return JsonParser.parseString(http.send(HttpRequest.newBuilder(URI.create(base + "/api/provider/work")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).getAsJsonObject();
    }

    /** The process state letter from /proc (T = stopped). */
    private static char state(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private void policy(String mode) throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("mode", mode);
        props.put("maxWorkerThreads", 1);
        grid.update("org.daig.monitor.policy", props);
    }

    /** Milliseconds from {@code start} until the worker is stopped (or running again), polling /proc every millisecond. */
    private static long millisUntil(long pid, boolean stopped, long start) {
        Duration left = Duration.ofNanos(Math.max(0, start + 5_000_000_000L - System.nanoTime()));
        Grid.await("worker " + pid + (stopped ? " stopped" : " running") + " within 5 s of the policy change", left, Duration.ofMillis(1),
                () -> (state(pid) == 'T') == stopped);
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aProviderWhosePolicyFlipsToBusyStopsItsWorkerWithinOneSecondAndResumes() throws Exception {
        Path model = Path.of(System.getProperty("daig.shared.data", "../../../shared/data"), "keras/simple_mlp.h5");
        assumeTrue(Files.isRegularFile(model), "../shared/data is absent (" + model + "): the pause test trains its Keras MLP");
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc to see the worker's process state");
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-pause", url);
        grid.bus(Topics.PROVIDER, "prov-pause", url);
        grid.awaitConnected("coord-pause");
        grid.awaitConnected("prov-pause");
        policy("always");
        String base = grid.httpBase();
        // Jetty may still be (re)starting after the previous test's changes: ask until the provider answers.
        Grid.eventually("the provider to take 'participate'", () -> {
            try {
                HttpResponse<String> r = http.send(Grid.providerPost(base + "/api/provider/participate"),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 ? r : null;
            } catch (Exception notYet) {
                return null;
            }
        });

        int rows = 20_000;
        SplittableRandom random = new SplittableRandom(9);
        ByteBuffer x = ByteBuffer.allocate(rows * 100 * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer y = ByteBuffer.allocate(rows * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < 100; c++) {
                x.putFloat((float) random.nextDouble());
            }
            y.putLong(i % 10);
        }
        String token = grid.adminToken();
        String modelId = TinyProject.upload(http, base, token, Files.readAllBytes(model));
        String xId = TinyProject.upload(http, base, token, TinyProject.npy("<f4", "(" + rows + ", 100)", x.array()));
        String yId = TinyProject.upload(http, base, token, TinyProject.npy("<i8", "(" + rows + ",)", y.array()));
        String spec = "{\"name\":\"pause\",\"model\":\"" + modelId + "\",\"x\":\"" + xId + "\",\"y\":\"" + yId + "\",\"epochs\":50,"
                + "\"batchSize\":8,\"totalTasks\":1,\"taskSize\":1,\"maxContributors\":1,\"validationRate\":0.0,\"seed\":1}";
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(spec)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String id = JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();

        long pid = Grid.eventually("the provider to train", () -> {
            try {
                JsonObject w = work(base);
                return w.get("activity").getAsString().startsWith("training") && w.get("workerPid").getAsLong() > 0
                        ? w.get("workerPid").getAsLong() : null;
            } catch (Exception e) {
                return null;
            }
        });
        List<Long> pauses = new ArrayList<>();
        List<Long> resumes = new ArrayList<>();
        for (int flip = 0; flip < 20; flip++) {
            long start = System.nanoTime();
            policy("never");
            pauses.add(millisUntil(pid, true, start));
            start = System.nanoTime();
            policy("always");
            resumes.add(millisUntil(pid, false, start));
        }
        List<Long> sorted = new ArrayList<>(pauses);
        sorted.sort(null);
        System.out.println("pause latency, policy change to worker stopped, 20 flips (ms): " + pauses + "; median " + sorted.get(10)
                + ", max " + sorted.get(19) + "; back to running (ms): " + resumes);
        for (long ms : pauses) {
            assertTrue(ms <= 1000, "worker stopped " + ms + " ms after the policy change: " + pauses);
        }
        assertTrue(work(base).get("activity").getAsString().startsWith("training"), "the task goes on after the flips");
        http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects/" + id + "/cancel")).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        http.send(Grid.providerPost(base + "/api/provider/stop"), HttpResponse.BodyHandlers.ofString());
    }
}
