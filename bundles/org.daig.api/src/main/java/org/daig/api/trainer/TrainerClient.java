package org.daig.api.trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer worker's operations as typed calls on one {@link Worker}: records in, records out.
 * The wire format stays the worker protocol's (docs/worker-protocol.md); this class is the one
 * place that knows the operations' field names. It does not own the worker: closing it is the
 * caller's business.
 */
public final class TrainerClient {

    private static final float[] NONE = new float[0];

    private final Worker worker;

    public TrainerClient(Worker worker) {
        this.worker = worker;
    }

    public Worker worker() {
        return worker;
    }

    /** The worker's backend (e.g. CpuBackend) and process id; also a cheap "are you up?". */
    public Hello hello() throws WorkerException {
        WorkerAnswer a = worker.call(TrainerOps.HELLO, Map.of(), NONE);
        return new Hello(text(a, "backend"), (long) a.number("pid"));
    }

    /** Loads a Keras model file (kept loaded when it is the same file as before). */
    public LoadedModel load(Path model) throws WorkerException {
        return load(model, Compile.FROM_FILE);
    }

    /** Loads a Keras model file (.h5 or .keras), trained with {@code compile} where it names something. */
    public LoadedModel load(Path model, Compile compile) throws WorkerException {
        WorkerAnswer a = worker.call(TrainerOps.LOAD, compile.with(Map.of("model", model.toString())), NONE);
        return new LoadedModel((long) a.number("params"), (long) a.number("outputs"));
    }

    /**
     * Loads a model from its canonical form (JSON configuration, see docs/security.md); anything
     * else, an HDF5 file above all, is refused before it is parsed. What providers use.
     */
    public LoadedModel loadCanonical(Path model) throws WorkerException {
        WorkerAnswer a = worker.call(TrainerOps.LOAD, Map.of("model", model.toString(), "canonical", true), NONE);
        return new LoadedModel((long) a.number("params"), (long) a.number("outputs"));
    }

    /** What a model file is and whether it can be trained here; an untrainable model is an answer, not an error. */
    public ModelInspection inspect(Path model) throws WorkerException {
        return inspect(model, Compile.FROM_FILE);
    }

    /** What a model file is and whether it can be trained here with {@code compile}. */
    public ModelInspection inspect(Path model, Compile compile) throws WorkerException {
        WorkerAnswer a = worker.call(TrainerOps.INSPECT, compile.with(Map.of("model", model.toString())), NONE);
        Map<String, Object> f = a.fields();
        if (!Boolean.TRUE.equals(f.get("trainable"))) {
            return new ModelInspection(false, text(a, "reason"), null, null, null, null, 0, 0, null, text(a, "backend"));
        }
        List<?> shape = f.get("inputShape") instanceof List<?> l ? l : List.of();
        long[] input = new long[shape.size()];
        for (int i = 0; i < input.length; i++) {
            input[i] = ((Number) shape.get(i)).longValue();
        }
        return new ModelInspection(true, null, text(a, "kerasVersion"), text(a, "modelClass"), text(a, "loss"),
                text(a, "optimizer"), (long) a.number("params"), (long) a.number("outputs"), input.length == 0 ? null : input,
                text(a, "backend"));
    }

    /** The loaded model's parameters, flat. */
    public float[] params() throws WorkerException {
        return worker.call(TrainerOps.PARAMS, Map.of(), NONE).payload();
    }

    /** Replaces the loaded model's parameters. */
    public void set(float[] params) throws WorkerException {
        worker.call(TrainerOps.SET, Map.of(), params);
    }

    /** Adds a delta to the loaded model's parameters. */
    public void apply(float[] delta) throws WorkerException {
        worker.call(TrainerOps.APPLY, Map.of(), delta);
    }

    /** Every problem of a model and its data together (an empty list: trainable as given). */
    public DataCheck check(Path model, Path x, Path y) throws WorkerException {
        return check(model, x, y, Compile.FROM_FILE);
    }

    /** Every problem of a model, trained with {@code compile}, and its data together. */
    public DataCheck check(Path model, Path x, Path y, Compile compile) throws WorkerException {
        WorkerAnswer a = worker.call(TrainerOps.CHECK, compile.with(Map.of("model", model.toString(), "x", x.toString(), "y",
                y.toString())), NONE);
        List<String> problems = new ArrayList<>();
        if (a.fields().get("problems") instanceof List<?> found) {
            found.forEach(p -> problems.add(String.valueOf(p)));
        }
        return new DataCheck(List.copyOf(problems), (long) a.number("rows"));
    }

    /** Deals x and y row by row into shards and a validation set, written as .npy files in a folder. */
    public ShardCut cut(CutRequest request) throws WorkerException {
        WorkerAnswer a = worker.call(TrainerOps.CUT, Map.of("x", request.x().toString(), "y", request.y().toString(), "shards",
                request.shards(), "validationRate", request.validationRate(), "dir", request.dir().toString()), NONE);
        List<?> rows = a.fields().get("rows") instanceof List<?> l ? l : List.of();
        long[] shardRows = new long[rows.size()];
        for (int i = 0; i < shardRows.length; i++) {
            shardRows[i] = ((Number) rows.get(i)).longValue();
        }
        return new ShardCut(shardRows, (long) a.number("validationRows"));
    }

    /**
     * Trains the loaded model on a shard, starting from {@code params} (or, when empty, from the
     * current parameters), and answers with the figures and the delta.
     */
    public TrainResult train(TrainRequest request, float[] params) throws WorkerException {
        Map<String, Object> fields = new LinkedHashMap<>(shardFields(request.data()));
        fields.put("epochs", request.epochs());
        fields.put("batch", request.batchSize());
        fields.put("seed", request.seed());
        if (request.threads() > 0) {
            fields.put("threads", request.threads());
        }
        WorkerAnswer a = worker.call(TrainerOps.TRAIN, fields, params == null ? NONE : params);
        Object threads = a.fields().get("threads");
        return new TrainResult((long) a.number("samples"), (long) a.number("steps"), a.number("loss"), a.number("accuracy"),
                a.number("seconds"), a.payload(), threads instanceof Number n ? n.intValue() : 0, text(a, "runtime"));
    }

    /**
     * Starts hosting mixture-of-experts cells for remote trainers (issue 18): the worker serves them
     * over TCP and announces them in the experts' DHT until {@link #stopHosting} (or the worker ends);
     * {@code initial}: the cells' parameters one after the other in cell order (a checkpoint), or empty
     * to start from the seed.
     */
    public Hosting hostExperts(HostRequest request, float[] initial) throws WorkerException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("cells", request.cells());
        fields.put("width", request.width());
        fields.put("hidden", request.hidden());
        fields.put("optimizer", request.optimizer());
        fields.put("lr", request.learningRate());
        fields.put("seed", request.seed());
        fields.put("token", request.token());
        fields.put("host", request.host());
        fields.put("port", request.port());
        if (request.announce() != null) {
            fields.put("announce", request.announce());
        }
        fields.put("dhtPort", request.dhtPort());
        if (request.bootstrap() != null) {
            fields.put("bootstrap", request.bootstrap());
        }
        fields.put("announceMillis", request.announceMillis());
        fields.put("maxRows", request.maxRows());
        if (request.relay() != null) {
            Map<String, Object> relay = new LinkedHashMap<>();
            relay.put("address", request.relay().address());
            relay.put("token", request.relay().token());
            relay.put("name", request.relay().name());
            if (request.relay().caFile() != null) {
                relay.put("caFile", request.relay().caFile());
            }
            fields.put("relay", relay);
        }
        WorkerAnswer a = worker.call(TrainerOps.HOST_EXPERTS, fields, initial == null ? NONE : initial);
        return new Hosting((int) a.number("port"), text(a, "announced"), text(a, "dht"), (int) a.number("experts"));
    }

    /** The hosted experts' parameters in cell order, and how many calls they served and refused. */
    public HostedParameters expertParameters() throws WorkerException {
        WorkerAnswer a = worker.call(TrainerOps.EXPERT_PARAMS, Map.of(), NONE);
        List<String> cells = new ArrayList<>();
        if (a.fields().get("cells") instanceof List<?> l) {
            l.forEach(c -> cells.add(String.valueOf(c)));
        }
        return new HostedParameters(List.copyOf(cells), a.payload(), (long) a.number("served"), (long) a.number("refused"));
    }

    /** Stops hosting experts (nothing happens when none are hosted). */
    public void stopHosting() throws WorkerException {
        worker.call(TrainerOps.STOP_HOSTING, Map.of(), NONE);
    }

    /** Loss and accuracy of the loaded model (with {@code params} when not empty) on a data set. */
    public Evaluation evaluate(DataFiles data, float[] params) throws WorkerException {
        WorkerAnswer a = worker.call(TrainerOps.EVALUATE, shardFields(data), params == null ? NONE : params);
        return new Evaluation(a.number("loss"), a.number("accuracy"), (long) a.number("samples"));
    }

    /** Runs the loaded model on the samples of {@code input} and writes the outputs as float32 .npy. */
    public void predict(Path input, Path output) throws WorkerException {
        worker.call(TrainerOps.PREDICT, Map.of("input", input.toString(), "output", output.toString()), NONE);
    }

    /** Writes the loaded model as a Keras .h5 file. */
    public void exportH5(Path file) throws WorkerException {
        worker.call(TrainerOps.EXPORT, Map.of("h5", file.toString()), NONE);
    }

    /**
     * Writes the loaded model as a Keras 3 .keras archive: the uploaded archive's config and
     * layout with the loaded parameters. Only for a model that came as a .keras file.
     */
    public void exportKeras(Path file) throws WorkerException {
        worker.call(TrainerOps.EXPORT, Map.of("keras", file.toString()), NONE);
    }

    /** Writes the loaded model's canonical form, which providers load with {@link #loadCanonical}. */
    public void exportCanonical(Path file) throws WorkerException {
        worker.call(TrainerOps.EXPORT, Map.of("canonical", file.toString()), NONE);
    }

    /** Writes the loaded model as a DL4J model zip. */
    public void exportZip(Path file) throws WorkerException {
        worker.call(TrainerOps.EXPORT, Map.of("zip", file.toString()), NONE);
    }

    private static Map<String, Object> shardFields(DataFiles data) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("x", data.x().toString());
        fields.put("y", data.y().toString());
        if (data.from() >= 0) {
            fields.put("from", data.from());
            fields.put("to", data.to());
        }
        return fields;
    }

    private static String text(WorkerAnswer answer, String name) {
        Object value = answer.fields().get(name);
        return value == null ? null : value.toString();
    }

    /** @param backend ND4J's backend class name, e.g. CpuBackend */
    /**
     * How a model is trained when its file does not say, or should not decide: a Keras loss name or
     * alias, an optimizer class name, a learning rate. Null fields: as the file says.
     */
    public record Compile(String loss, String optimizer, Double learningRate) {

        public static final Compile FROM_FILE = new Compile(null, null, null);

        /** The worker request's fields plus these settings. */
        Map<String, Object> with(Map<String, Object> fields) {
            Map<String, Object> all = new java.util.HashMap<>(fields);
            if (loss != null) {
                all.put("loss", loss);
            }
            if (optimizer != null) {
                all.put("optimizer", optimizer);
            }
            if (learningRate != null) {
                all.put("lr", learningRate);
            }
            return all;
        }
    }

    public record Hello(String backend, long pid) {
    }

    public record LoadedModel(long params, long outputs) {
    }

    /**
     * @param reason     why the model cannot be trained here (null when it can)
     * @param inputShape the per-sample input shape the file states (-1 for "any"), or null
     */
    public record ModelInspection(boolean trainable, String reason, String kerasVersion, String modelClass, String loss,
            String optimizer, long params, long outputs, long[] inputShape, String backend) {
    }

    /** @param rows the rows of x (0 when it cannot be read) */
    public record DataCheck(List<String> problems, long rows) {
    }

    public record CutRequest(Path x, Path y, int shards, double validationRate, Path dir) {
    }

    /** @param shardRows rows per shard, in shard order */
    public record ShardCut(long[] shardRows, long validationRows) {
    }

    /** Features and labels as .npy, and the rows [from, to) to use; from = -1 for all rows. */
    public record DataFiles(Path x, Path y, long from, long to) {

        public static DataFiles all(Path x, Path y) {
            return new DataFiles(x, y, -1, -1);
        }
    }

    /**
     * @param threads the thread count to train with, 0 for the worker's own: a replay with the
     *                volunteer's count reproduces its update bit for bit on the same runtime
     */
    public record TrainRequest(DataFiles data, int epochs, int batchSize, long seed, int threads) {

        public TrainRequest(DataFiles data, int epochs, int batchSize, long seed) {
            this(data, epochs, batchSize, seed, 0);
        }
    }

    /**
     * @param delta   the change to the parameters the training made
     * @param threads the thread count it trained with (0: not reported)
     * @param runtime what else decides the bits: backend, CPU model, library versions (null: not reported)
     */
    public record TrainResult(long samples, long steps, double loss, double accuracy, double seconds, float[] delta, int threads,
            String runtime) {

        public TrainResult(long samples, long steps, double loss, double accuracy, double seconds, float[] delta) {
            this(samples, steps, loss, accuracy, seconds, delta, 0, null);
        }
    }

    public record Evaluation(double loss, double accuracy, long samples) {
    }

    /**
     * Experts to host: {@code cells} (uids such as {@code ffn.0.3}), each a block {@code width} →
     * {@code hidden} → {@code width} stepped by {@code optimizer} (adam, sgd, momentum) at
     * {@code learningRate}; calls need {@code token}; served on host:port (0: any free port) and
     * announced as {@code announce} (null: host:port); the DHT peer on host:dhtPort joins through
     * {@code bootstrap} (null: it is the first), re-announcing every {@code announceMillis}; at most
     * {@code maxRows} rows per call.
     */
    public record HostRequest(List<String> cells, int width, int hidden, String optimizer, double learningRate, long seed, String token,
            String host, int port, String announce, int dhtPort, String bootstrap, long announceMillis, int maxRows, HostRelay relay) {

        /** Experts that callers reach directly. */
        public HostRequest(List<String> cells, int width, int hidden, String optimizer, double learningRate, long seed, String token,
                String host, int port, String announce, int dhtPort, String bootstrap, long announceMillis, int maxRows) {
            this(cells, width, hidden, optimizer, learningRate, seed, token, host, port, announce, dhtPort, bootstrap, announceMillis, maxRows,
                    null);
        }
    }

    /**
     * Experts behind NAT: served through the expert relay at {@code address} (host:port) as
     * {@code name}, admitted with {@code token} (the device's grid token), over TLS trusting the
     * certificate in {@code caFile} (null: plain, for a relay on loopback).
     */
    public record HostRelay(String address, String token, String name, String caFile) {
    }

    /** Where the hosted experts are: their TCP port, the address announced, the worker's DHT peer. */
    public record Hosting(int port, String announced, String dht, int experts) {
    }

    /** @param values every cell's parameters, one after the other in {@code cells} order */
    public record HostedParameters(List<String> cells, float[] values, long served, long refused) {
    }
}
