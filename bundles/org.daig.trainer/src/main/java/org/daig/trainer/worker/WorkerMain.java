package org.daig.trainer.worker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import org.daig.api.trainer.TrainerOps;
import org.daig.trainer.TrainLocal;
import org.daig.trainer.TrainerException;
import org.daig.trainer.data.NpyArray;
import org.daig.trainer.data.DataCheck;
import org.daig.trainer.data.NpyWriter;
import org.daig.trainer.data.ShardCutter;
import org.daig.trainer.data.TrainingData;
import org.daig.trainer.keras.CanonicalModel;
import org.daig.trainer.keras.KerasExport;
import org.daig.trainer.keras.TrainableModel;
import org.daig.wire.Frames;
import org.daig.wire.Frames.Frame;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import com.google.gson.JsonObject;

/**
 * The worker JVM: answers one request frame at a time on stdin/stdout until "shutdown" or end of
 * input. It keeps one model loaded across tasks (loading costs more than a small task). A problem
 * with the input is an error answer; the worker stays up. Anything printed by libraries goes to
 * stderr, which the launcher keeps for crash reports.
 */
public final class WorkerMain {

    private TrainableModel model;
    /** What the loaded model was loaded from: the file, how (canonical or Keras), and the compile settings it was given. */
    private List<Object> loadedFrom;
    /** The loaded file's own parameters, which a LOAD of the same file restores. */
    private org.nd4j.linalg.api.ndarray.INDArray fileParams;
    /** Experts this worker hosts for trainers elsewhere (issue 18), if any. */
    private final HostedExperts experts = new HostedExperts();

    public static void main(String[] args) throws IOException {
        OutputStream frames = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true)); // keep stdout for frames
        org.daig.trainer.SameDiffNoise.install();
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        new WorkerMain().serve(in, frames);
    }

    void serve(DataInputStream in, OutputStream out) throws IOException {
        while (true) {
            Frame request;
            try {
                request = Frames.read(in);
            } catch (EOFException closed) {
                return;
            }
            String op = request.header().has("op") ? request.header().get("op").getAsString() : "";
            if (op.equals(TrainerOps.SHUTDOWN)) {
                experts.stop();
                Frames.write(out, ok());
                return;
            }
            Frame response;
            try {
                response = handle(op, request);
            } catch (TrainerException e) {
                response = error(e.getMessage());
            } catch (RuntimeException e) {
                response = error(op + " failed: " + e);
            }
            Frames.write(out, response);
        }
    }

    private Frame handle(String op, Frame request) throws TrainerException, IOException {
        JsonObject h = request.header();
        return switch (op) {
        case TrainerOps.HELLO -> {
            JsonObject r = ok().header();
            r.addProperty("backend", Nd4j.getBackend().getClass().getSimpleName());
            r.addProperty("pid", ProcessHandle.current().pid());
            yield new Frame(r);
        }
        case TrainerOps.LOAD -> {
            Path file = Path.of(h.get("model").getAsString());
            boolean canonical = h.has("canonical") && h.get("canonical").getAsBoolean();
            // kept loaded for the same file and settings only: two projects may share a model file but name different losses
            List<Object> from = List.of(file, canonical, compile(h));
            if (model == null || !from.equals(loadedFrom)) {
                // a provider asks for the canonical form only: it never lets a stranger's HDF5 file near the native parser
                model = canonical ? TrainableModel.loadCanonical(file) : TrainableModel.load(file, compile(h));
                loadedFrom = from;
                fileParams = model.paramsCopy();
            } else {
                // kept, but loaded means the file's parameters: SET, APPLY and EVALUATE changed them since (a second
                // project of the same file would otherwise start from the first one's last evaluated version)
                model.setParams(fileParams.dup());
            }
            JsonObject r = ok().header();
            r.addProperty("params", model.numParams());
            r.addProperty("outputs", model.outputSize());
            yield new Frame(r);
        }
        case TrainerOps.INSPECT -> inspect(Path.of(h.get("model").getAsString()), compile(h));
        case TrainerOps.PARAMS -> new Frame(ok().header(), params());
        case TrainerOps.SET -> {
            requireModel();
            requireLength(request.payload());
            setParams(request.payload());
            yield ok();
        }
        case TrainerOps.CHECK -> check(h);
        case TrainerOps.CUT -> cut(h);
        case TrainerOps.TRAIN -> train(h, request.payload());
        case TrainerOps.APPLY -> {
            float[] params = params();
            float[] delta = request.payload();
            requireLength(delta);
            for (int i = 0; i < params.length; i++) {
                params[i] += delta[i];
            }
            setParams(params);
            yield ok();
        }
        case TrainerOps.EVALUATE -> {
            requireModel();
            if (request.payload().length > 0) {
                requireLength(request.payload());
                setParams(request.payload());
            }
            DataSet data = shard(h);
            JsonObject r = ok().header();
            r.addProperty("loss", model.loss(data));
            r.addProperty("accuracy", TrainLocal.accuracy(model, data));
            r.addProperty("samples", data.numExamples());
            yield new Frame(r);
        }
        case TrainerOps.PREDICT -> {
            requireModel();
            try (NpyArray x = org.daig.trainer.data.NpzArchive.openAny(Path.of(h.get("input").getAsString()))) {
                INDArray result = model.output(TrainingData.features(model, x, 0, x.rows()));
                NpyWriter.writeFloat32(Path.of(h.get("output").getAsString()), result.shape(),
                        result.dup('c').castTo(DataType.FLOAT).data().asFloat());
            }
            yield ok();
        }
        case TrainerOps.EXPORT -> {
            requireModel();
            if (h.has("zip")) {
                model.saveZip(Path.of(h.get("zip").getAsString()));
            }
            if (h.has("h5")) {
                KerasExport.write(model, Path.of(h.get("h5").getAsString()));
            }
            if (h.has("keras")) {
                org.daig.trainer.keras.Keras3Export.write(model, Path.of(h.get("keras").getAsString()));
            }
            if (h.has("canonical")) {
                CanonicalModel.write(model, Path.of(h.get("canonical").getAsString()));
            }
            yield ok();
        }
        case TrainerOps.HOST_EXPERTS -> answer(experts.host(h, request.payload()), null);
        case TrainerOps.EXPERT_PARAMS -> answer(experts.parameters(), experts.values());
        case TrainerOps.STOP_HOSTING -> {
            experts.stop();
            yield ok();
        }
        default -> error("unknown operation '" + op + "'");
        };
    }

    /**
     * What a model file is, and whether it can be trained here: the coordinator's validation.
     * A model that cannot be used is an ok answer with trainable=false and the reason, so the
     * caller can list it with the project's other problems.
     */
    /** The loss, optimizer and learning rate a request names (TrainerClient.Compile), for a model saved without them. */
    private static org.daig.trainer.keras.CompileSettings compile(JsonObject h) {
        return new org.daig.trainer.keras.CompileSettings(h.has("loss") ? h.get("loss").getAsString() : null,
                h.has("optimizer") ? h.get("optimizer").getAsString() : null, h.has("lr") ? h.get("lr").getAsDouble() : null);
    }

    private Frame inspect(Path file, org.daig.trainer.keras.CompileSettings compile) {
        JsonObject r = ok().header();
        r.addProperty("backend", Nd4j.getBackend().getClass().getSimpleName());
        try {
            TrainableModel inspected = TrainableModel.load(file, compile);
            org.daig.trainer.keras.KerasModelFile source = inspected.source();
            r.addProperty("trainable", true);
            r.addProperty("kerasVersion", source.kerasVersion());
            r.addProperty("modelClass", source.modelClass());
            r.addProperty("loss", source.lossName());
            r.addProperty("optimizer", source.optimizerName());
            r.addProperty("params", inspected.numParams());
            r.addProperty("outputs", inspected.outputSize());
            com.google.gson.JsonArray input = new com.google.gson.JsonArray();
            long[] shape = source.inputShape();
            if (shape != null) {
                for (long d : shape) {
                    input.add(d);
                }
            }
            r.add("inputShape", input);
        } catch (TrainerException e) {
            r.addProperty("trainable", false);
            r.addProperty("reason", e.getMessage());
        }
        return new Frame(r);
    }

    /**
     * Every problem of a model and its data together, for a project's pre-flight validation: an
     * ok answer listing them (empty when the project can be trained).
     */
    private Frame check(JsonObject h) {
        JsonObject r = ok().header();
        com.google.gson.JsonArray problems = new com.google.gson.JsonArray();
        TrainableModel checked = null;
        try {
            checked = TrainableModel.load(Path.of(h.get("model").getAsString()), compile(h));
        } catch (TrainerException e) {
            problems.add(e.getMessage());
        }
        NpyArray x = null;
        NpyArray y = null;
        try {
            x = openOrNote(h.get("x").getAsString(), problems);
            y = openOrNote(h.get("y").getAsString(), problems);
            if (x != null && y != null) {
                DataCheck.problems(checked, x, y).forEach(problems::add);
            }
            r.addProperty("rows", x == null ? 0 : x.rows());
        } finally {
            if (x != null) {
                x.close();
            }
            if (y != null) {
                y.close();
            }
        }
        r.add("problems", problems);
        if (checked != null) {
            r.addProperty("params", checked.numParams());
        }
        return new Frame(r);
    }

    private static NpyArray openOrNote(String path, com.google.gson.JsonArray problems) {
        try {
            return org.daig.trainer.data.NpzArchive.openAny(Path.of(path));
        } catch (TrainerException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** Cuts x and y into shards and a validation set (see ShardCutter) in the folder {@code dir}. */
    private Frame cut(JsonObject h) throws TrainerException {
        try (NpyArray x = org.daig.trainer.data.NpzArchive.openAny(Path.of(h.get("x").getAsString()));
             NpyArray y = org.daig.trainer.data.NpzArchive.openAny(Path.of(h.get("y").getAsString()))) {
            ShardCutter.Cut cut = ShardCutter.cut(x, y, h.get("shards").getAsInt(), h.get("validationRate").getAsDouble(),
                    Path.of(h.get("dir").getAsString()));
            JsonObject r = ok().header();
            com.google.gson.JsonArray rows = new com.google.gson.JsonArray();
            for (long n : cut.shardRows()) {
                rows.add(n);
            }
            r.add("rows", rows);
            r.addProperty("validationRows", cut.validationRows());
            return new Frame(r);
        }
    }

    /** Trains a shard from the given parameters (or the current ones) and answers with the delta. */
    private Frame train(JsonObject h, float[] startParams) throws TrainerException {
        requireModel();
        if (startParams.length > 0) {
            requireLength(startParams);
            setParams(startParams);
        }
        model.resetOptimizer();
        float[] before = params();
        DataSet data = shard(h);
        int epochs = h.get("epochs").getAsInt();
        int batch = h.get("batch").getAsInt();
        long seed = h.get("seed").getAsLong();
        Nd4j.getRandom().setSeed(seed);
        long start = System.nanoTime();
        long steps = 0;
        // a replay asks for the volunteer's thread count: how a sum is split over threads decides its last bits
        int own = org.daig.trainer.Threads.use(h.has("threads") ? h.get("threads").getAsInt() : 0);
        int threads = org.daig.trainer.Threads.current(); // what it got: ND4J lowers a count, it does not raise it past its start
        try {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                steps += TrainLocal.fitEpoch(model, data, batch, seed + epoch);
            }
        } finally {
            org.daig.trainer.Threads.use(own);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        float[] after = params();
        float[] delta = new float[after.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = after[i] - before[i];
        }
        JsonObject r = ok().header();
        r.addProperty("samples", data.numExamples());
        r.addProperty("steps", steps);
        r.addProperty("loss", model.loss(data));
        r.addProperty("accuracy", TrainLocal.accuracy(model, data));
        r.addProperty("seconds", seconds);
        r.addProperty("threads", threads);
        r.addProperty("runtime", org.daig.trainer.Threads.runtime());
        return new Frame(r, delta);
    }

    private DataSet shard(JsonObject h) throws TrainerException {
        try (NpyArray x = org.daig.trainer.data.NpzArchive.openAny(Path.of(h.get("x").getAsString()));
             NpyArray y = org.daig.trainer.data.NpzArchive.openAny(Path.of(h.get("y").getAsString()))) {
            long from = h.has("from") ? h.get("from").getAsLong() : 0;
            long to = h.has("to") ? h.get("to").getAsLong() : x.rows();
            return TrainingData.load(model, x, y, from, to);
        }
    }

    private float[] params() throws TrainerException {
        requireModel();
        return model.paramsCopy().castTo(DataType.FLOAT).data().asFloat();
    }

    private void setParams(float[] values) {
        model.setParams(Nd4j.create(values, new long[] { 1, values.length }, 'c'));
    }

    private void requireModel() throws TrainerException {
        if (model == null) {
            throw new TrainerException("no model loaded: send 'load' first");
        }
    }

    private void requireLength(float[] vector) throws TrainerException {
        if (vector.length != model.numParams()) {
            throw new TrainerException("a vector of " + vector.length + " values does not fit the model's " + model.numParams()
                    + " parameters");
        }
    }

    /** An ok answer with these fields (and payload). */
    private static Frame answer(JsonObject fields, float[] payload) {
        JsonObject r = ok().header();
        fields.entrySet().forEach(e -> r.add(e.getKey(), e.getValue()));
        return payload == null ? new Frame(r) : new Frame(r, payload);
    }

    private static Frame ok() {
        JsonObject r = new JsonObject();
        r.addProperty("ok", true);
        return new Frame(r);
    }

    private static Frame error(String message) {
        JsonObject r = new JsonObject();
        r.addProperty("ok", false);
        r.addProperty("error", message);
        return new Frame(r);
    }
}
