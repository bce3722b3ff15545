package org.daig.itests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

import com.google.gson.JsonParser;

/**
 * A project for the real coordinator: the shared Keras MLP (100 inputs, 10 classes) on seeded
 * random rows, its files uploaded as blobs and the project submitted over HTTP, as a requestor does.
 */
final class TinyProject {

    private TinyProject() {
    }

    static Path model() {
        return Path.of(System.getProperty("daig.shared.data", "../../../shared/data"), "keras/simple_mlp.h5");
    }

    /** Whether the model and the trainer runtime the coordinator prepares projects with are here. */
    static boolean available() {
        String worker = System.getProperty("daig.worker.dir");
        return Files.isRegularFile(model()) && worker != null && Files.isDirectory(Path.of(worker));
    }

    /** Uploads a blob (again if the connection drops: a PUT of the same bytes is idempotent) and returns its id. */
    static String upload(HttpClient http, String base, String token, byte[] bytes) throws Exception {
        String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        HttpResponse<String> r = Grid.eventually("blob " + id + " uploaded", () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + id)).header("Authorization", "Bearer " + token)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception dropped) {
                return null;
            }
        });
        if (r.statusCode() != 201) {
            throw new AssertionError("upload answered " + r.statusCode() + ": " + r.body());
        }
        return id;
    }

    /** A .npy file of {@code descr} ('<f4', '<i8') with {@code shape} around little-endian {@code data}. */
    static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int padding = (64 - (10 + dict.length() + 1) % 64) % 64;
        byte[] header = (dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 }).putShort((short) header.length).put(header).put(data);
        return out.array();
    }

    /** Submits a project of {@code rows} rows in {@code tasks} shards, all in one round; returns its id. */
    static String submit(HttpClient http, String base, String token, String name, int rows, int tasks, int maxContributors)
            throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        ByteBuffer x = ByteBuffer.allocate(rows * 100 * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer y = ByteBuffer.allocate(rows * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < 100; c++) {
                x.putFloat((float) random.nextDouble());
            }
            y.putLong(i % 10);
        }
        String modelId = upload(http, base, token, Files.readAllBytes(model()));
        String xId = upload(http, base, token, npy("<f4", "(" + rows + ", 100)", x.array()));
        String yId = upload(http, base, token, npy("<i8", "(" + rows + ",)", y.array()));
        String spec = "{\"name\":\"" + name + "\",\"model\":\"" + modelId + "\",\"x\":\"" + xId + "\",\"y\":\"" + yId + "\",\"epochs\":1,"
                + "\"batchSize\":8,\"totalTasks\":" + tasks + ",\"taskSize\":" + tasks + ",\"maxContributors\":" + maxContributors
                + ",\"validationRate\":0.0,\"seed\":1}";
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/projects"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(spec)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new AssertionError("submitting answered " + created.statusCode() + ": " + created.body());
        }
        return JsonParser.parseString(created.body()).getAsJsonObject().get("id").getAsString();
    }
}
