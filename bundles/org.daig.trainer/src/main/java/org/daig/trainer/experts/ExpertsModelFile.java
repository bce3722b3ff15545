package org.daig.trainer.experts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.daig.experts.Expert;
import org.daig.experts.ExpertConnector;
import org.daig.experts.ExpertGrid;
import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.experts.dht.ExpertDht;
import org.daig.experts.dht.LocalDirectory;
import org.daig.experts.dht.Stored;
import org.daig.experts.gate.BeamSearch;
import org.daig.experts.gate.NegativeCache;
import org.daig.trainer.TrainerException;
import org.daig.trainer.data.NpyArray;
import org.daig.trainer.data.NpyWriter;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;

/**
 * A whole model with a mixture-of-experts layer in one zip file (issue 18): the trainer's layers, the
 * gate and every expert that could be reached, so the requestor can predict on one machine with all
 * experts in the same JVM ({@link Loaded}). Entries: {@code daig-experts.json} (the shape below),
 * {@code bottom.npy}, {@code gate.npy}, {@code top.npy} and {@code experts/<uid>.npy}, each a float32
 * vector that numpy reads as it is. An expert that is not in the file is left out of the layer, as
 * the training left out an expert that did not answer.
 */
public final class ExpertsModelFile {

    public static final String MANIFEST = "daig-experts.json";
    static final String FORMAT = "daig-experts";
    static final int VERSION = 1;
    /** The most values one array of the file may hold (1 GiB of float32), checked before it is read. */
    static final long MOST_VALUES = 1L << 28;
    private static final long MOST_MANIFEST_BYTES = 1 << 20;

    /**
     * The model's shape: {@code inputs} → dense ReLU layers {@code bottom} (the last is the mixture's
     * width) → width + mixture(width) → softmax {@code classes}; experts width → {@code expertHidden} →
     * width on {@code grid}, {@code k} chosen per sample, {@code kMin} awaited.
     */
    public record Shape(int inputs, int[] bottom, int classes, ExpertGrid grid, int expertHidden, int k, int kMin) {

        public Shape {
            if (inputs < 1 || bottom.length < 1 || Arrays.stream(bottom).anyMatch(b -> b < 1) || classes < 2 || expertHidden < 1) {
                throw new IllegalArgumentException("experts model: sizes must be >= 1 and classes >= 2 (inputs " + inputs + ", bottom "
                        + Arrays.toString(bottom) + ", classes " + classes + ", expert hidden " + expertHidden + ")");
            }
            if (k < 1 || kMin < 1 || kMin > k) {
                throw new IllegalArgumentException("experts model: need 1 <= k_min <= k, not k " + k + ", k_min " + kMin);
            }
            bottom = bottom.clone();
        }

        public int width() {
            return bottom[bottom.length - 1];
        }

        /** Parameters of one expert block: width → expertHidden (with biases) → width (with biases). */
        public long expertParameters() {
            return ExpertBlock.parameterCount(width(), expertHidden);
        }
    }

    /** The manifest as JSON. */
    private static final class Manifest {
        String format;
        int version;
        int inputs;
        int[] bottom;
        int classes;
        String gridPrefix;
        int[] gridSizes;
        int expertHidden;
        int k;
        int kMin;
        List<String> experts;
    }

    private ExpertsModelFile() {
    }

    /**
     * Asks every cell's live server (found in {@code dht}) for its parameters; returns those that
     * answered within {@code timeoutMillis}, in grid order, and writes one line per expert that did
     * not to {@code problems}.
     */
    public static Map<ExpertUid, float[]> collect(ExpertDht dht, ExpertGrid grid, ExpertConnector connector, long timeoutMillis,
            List<String> problems) throws InterruptedException {
        Map<ExpertUid, float[]> found = new LinkedHashMap<>();
        for (long i = 0; i < grid.cells(); i++) {
            ExpertUid uid = grid.uid(i);
            try {
                Stored where = dht.get(uid.toString()).get(timeoutMillis, TimeUnit.MILLISECONDS).get("");
                if (where == null) {
                    problems.add("expert " + uid + ": no live server in the DHT");
                    continue;
                }
                Expert e = connector.connect(uid, where.value());
                found.put(uid, e.parameters().get(timeoutMillis, TimeUnit.MILLISECONDS));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                problems.add("expert " + uid + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            }
        }
        return found;
    }

    /**
     * The hidden size of expert blocks of {@code width} inputs and outputs that have {@code parameters}
     * parameters in all (the inverse of {@link Shape#expertParameters}).
     */
    public static int expertHidden(int width, long parameters) {
        long rest = parameters - width;
        if (width < 1 || rest <= 0 || rest % (2L * width + 1) != 0) {
            throw new IllegalArgumentException("an expert with " + parameters + " parameters is not a " + width + " → h → " + width + " block");
        }
        return Math.toIntExact(rest / (2L * width + 1));
    }

    /** Writes the model (through a temp file renamed at the end). Every expert's vector must have the shape's size. */
    public static void write(Path file, Shape shape, MoeClassifier model, Map<ExpertUid, float[]> experts) throws IOException {
        Manifest m = new Manifest();
        m.format = FORMAT;
        m.version = VERSION;
        m.inputs = shape.inputs();
        m.bottom = shape.bottom();
        m.classes = shape.classes();
        m.gridPrefix = shape.grid().prefix();
        m.gridSizes = new int[shape.grid().dimensions()];
        for (int d = 0; d < m.gridSizes.length; d++) {
            m.gridSizes[d] = shape.grid().size(d);
        }
        m.expertHidden = shape.expertHidden();
        m.k = shape.k();
        m.kMin = shape.kMin();
        m.experts = new ArrayList<>();
        Map<String, float[]> arrays = new LinkedHashMap<>();
        arrays.put("bottom", model.bottomParameters());
        arrays.put("gate", model.layer().gate().parameterVector());
        arrays.put("top", model.topParameters());
        TreeMap<ExpertUid, float[]> sorted = new TreeMap<>(java.util.Comparator.comparing(ExpertUid::toString));
        sorted.putAll(experts);
        for (Map.Entry<ExpertUid, float[]> e : sorted.entrySet()) {
            shape.grid().check(e.getKey());
            if (e.getValue().length != shape.expertParameters()) {
                throw new IllegalArgumentException("expert " + e.getKey() + " has " + e.getValue().length + " parameters, the shape says "
                        + shape.expertParameters());
            }
            m.experts.add(e.getKey().toString());
            arrays.put("experts/" + e.getKey(), e.getValue());
        }
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
        try (OutputStream os = Files.newOutputStream(temp); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(new Gson().toJson(m).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            for (Map.Entry<String, float[]> a : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(a.getKey() + ".npy"));
                NpyWriter.writeFloat32(zip, new long[] {a.getValue().length}, a.getValue());
                zip.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Whether {@code file} is a zip with an experts model's manifest (false for anything else, also unreadable files). */
    public static boolean isExpertsModel(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getEntry(MANIFEST) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads the model: every size checked against the manifest before its values are read. */
    public static Loaded read(Path file) throws TrainerException {
        Path unpacked = null;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Manifest m = manifest(file, zip);
            Shape shape = shape(file, m);
            List<String> experts = m.experts;
            unpacked = Files.createTempDirectory("daig-experts-model");
            Loaded model = new Loaded(shape);
            model.classifier.setBottomParameters(array(file, zip, "bottom", -1, unpacked));
            model.classifier.layer().gate().setParameters(array(file, zip, "gate", -1, unpacked));
            model.classifier.setTopParameters(array(file, zip, "top", -1, unpacked));
            for (String name : experts == null ? List.<String>of() : experts) {
                ExpertUid uid;
                try {
                    uid = shape.grid().check(ExpertUid.parse(name));
                } catch (IllegalArgumentException e) {
                    throw new TrainerException(file + ": " + MANIFEST + " lists a bad expert: " + e.getMessage(), e);
                }
                model.add(uid, array(file, zip, "experts/" + uid, shape.expertParameters(), unpacked));
            }
            model.announce();
            return model;
        } catch (IOException e) {
            throw new TrainerException(file + ": cannot be read as an experts model (" + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new TrainerException(file + ": " + e.getMessage() + " (the file does not fit its own manifest; download it again)", e);
        } finally {
            deleteQuietly(unpacked);
        }
    }

    private static Manifest manifest(Path file, ZipFile zip) throws TrainerException, IOException {
        ZipEntry entry = zip.getEntry(MANIFEST);
        if (entry == null) {
            throw new TrainerException(file + ": not an experts model (no " + MANIFEST + " inside)");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) MOST_MANIFEST_BYTES + 1);
            if (bytes.length > MOST_MANIFEST_BYTES) {
                throw new TrainerException(file + ": " + MANIFEST + " is over " + MOST_MANIFEST_BYTES + " bytes");
            }
            Manifest m = new Gson().fromJson(new String(bytes, StandardCharsets.UTF_8), Manifest.class);
            if (m == null || !FORMAT.equals(m.format) || m.version != VERSION) {
                throw new TrainerException(file + ": " + MANIFEST + " is not format " + FORMAT + " version " + VERSION
                        + (m == null ? "" : " (it says " + m.format + " " + m.version + ")"));
            }
            return m;
        } catch (JsonParseException e) {
            throw new TrainerException(file + ": " + MANIFEST + " is not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    private static Shape shape(Path file, Manifest m) throws TrainerException {
        if (m.bottom == null || m.gridSizes == null || m.gridPrefix == null) {
            throw new TrainerException(file + ": " + MANIFEST + " lacks bottom, gridPrefix or gridSizes");
        }
        return new Shape(m.inputs, m.bottom, m.classes, new ExpertGrid(m.gridPrefix, m.gridSizes), m.expertHidden, m.k, m.kMin);
    }

    /** One float32 vector entry; {@code expected} its length, or -1 where the network it goes into checks it. */
    private static float[] array(Path file, ZipFile zip, String name, long expected, Path unpacked) throws TrainerException, IOException {
        ZipEntry entry = zip.getEntry(name + ".npy");
        if (entry == null) {
            throw new TrainerException(file + ": has no " + name + ".npy (the manifest needs it)");
        }
        long most = 4 * (expected < 0 ? MOST_VALUES : expected) + 4096;
        Path target = unpacked.resolve(name.replace('/', '_') + ".npy");
        try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 << 10];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0;) {
                total += n;
                if (total > most) {
                    throw new TrainerException(file + ": " + name + ".npy is larger than the manifest allows (over " + most + " bytes)");
                }
                out.write(buffer, 0, n);
            }
        }
        try (NpyArray a = NpyArray.open(target)) {
            long values = a.rows() * a.rowElements();
            if (expected >= 0 && values != expected) {
                throw new TrainerException(file + ": " + name + ".npy has " + values + " values, the manifest's shape needs " + expected);
            }
            return a.readFloats(0, a.rows());
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp folder left behind is no error
        }
    }

    /**
     * The model in this JVM: every expert a {@link LocalExpert} in a directory without a network, so
     * the gate's search and the layer work as in training, and only the experts in the file exist.
     */
    public static final class Loaded {
        private static final int ROWS_PER_PASS = 1_000;

        private final Shape shape;
        private final Map<ExpertUid, Expert> experts = new LinkedHashMap<>();
        private final LocalDirectory directory = new LocalDirectory();
        private final MoeClassifier classifier;

        Loaded(Shape shape) {
            this.shape = shape;
            NegativeCache dead = new NegativeCache(System::currentTimeMillis, 60_000);
            Gate gate = new Gate(shape.width(), shape.grid(), 1e-3, 0);
            MixtureOfExperts moe = new MixtureOfExperts(gate, new BeamSearch(directory, shape.grid(), dead), dead,
                    (uid, address) -> experts.get(uid), shape.width(), new MixtureOfExperts.Settings(shape.k(), shape.kMin(), 600_000,
                            600_000, 600_000), MixtureOfExperts.Deadlines.system());
            classifier = new MoeClassifier(shape.inputs(), shape.bottom(), shape.classes(), moe, 1e-3, 0, 600_000);
        }

        void add(ExpertUid uid, float[] parameters) {
            ExpertBlock block = new ExpertBlock(shape.width(), shape.expertHidden(), shape.width(), 1e-3, 0);
            block.setParameters(parameters);
            experts.put(uid, new LocalExpert(block, Runnable::run)); // answers in the caller's thread: no pool to close
        }

        void announce() {
            ExpertAnnouncer.announce(directory, experts.keySet(), "in-process").join();
        }

        public Shape shape() {
            return shape;
        }

        /** The experts the file holds. */
        public List<ExpertUid> experts() {
            return List.copyOf(experts.keySet());
        }

        /** Class probabilities [rows, classes] for samples [rows, inputs]. */
        public INDArray predict(INDArray x) throws TrainerException {
            if (x.rank() != 2 || x.size(1) != shape.inputs()) {
                throw new TrainerException("the samples have shape " + Arrays.toString(x.shape()) + "; this model takes [samples, "
                        + shape.inputs() + "]");
            }
            List<INDArray> parts = new ArrayList<>();
            try {
                for (long from = 0; from < x.size(0); from += ROWS_PER_PASS) {
                    long to = Math.min(x.size(0), from + ROWS_PER_PASS);
                    parts.add(classifier.predict(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                            org.nd4j.linalg.indexing.NDArrayIndex.all())));
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new TrainerException("the experts model could not predict: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainerException("interrupted", e);
            }
            return org.nd4j.linalg.factory.Nd4j.vstack(parts.toArray(INDArray[]::new));
        }
    }
}
