package org.daig.coordinator.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

import org.daig.api.blob.BlobStore;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Writes a version's model file in the trainer worker once, then serves the kept file. */
@Component(service = ModelExports.class)
public class ModelExporter implements ModelExports {

    private final ProjectRecords records;
    private final CoordinatorTrainer trainer;
    private final BlobStore blobs;
    private final Path workDir;

    @Activate
    public ModelExporter(BundleContext context, @Reference(name = "records") ProjectRecords records,
            @Reference(name = "trainer") CoordinatorTrainer trainer, @Reference(name = "blobs") BlobStore blobs) {
        this(records, trainer, blobs, WorkDir.of(context));
    }

    ModelExporter(ProjectRecords records, CoordinatorTrainer trainer, BlobStore blobs, Path workDir) {
        this.records = records;
        this.trainer = trainer;
        this.blobs = blobs;
        this.workDir = workDir;
    }

    @Override
    public Path export(String id, int version, String requested) throws Exception {
        if (!java.util.Set.of("model", "keras", "h5", "zip", "npy").contains(requested)) {
            throw new IllegalArgumentException("format '" + requested + "' is not offered: use model (as uploaded), keras (Keras 3, for "
                    + "a model uploaded as .keras), h5 (Keras), zip (DL4J) or npy (parameters)");
        }
        ProjectRow row = records.database().read(ProjectStore::projects).stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no project " + id));
        List<VersionRow> versions = records.database().read(c -> ProjectStore.versions(c, id));
        if (versions.isEmpty()) {
            throw new IllegalStateException("project " + id + " has no model yet (it is " + row.state().name().toLowerCase(Locale.ROOT) + ")");
        }
        VersionRow chosen = version < 0 ? versions.get(versions.size() - 1)
                : versions.stream().filter(v -> v.version() == version).findFirst().orElseThrow(() -> new IllegalStateException(
                        "project " + id + " has versions 0-" + versions.get(versions.size() - 1).version() + ", not " + version));
        if (requested.equals("npy")) {
            return blobs.file(chosen.paramsBlob());
        }
        String format = requested.equals("model") ? (isZip(blobs.file(row.spec().model())) ? "keras" : "h5") : requested;
        Path file = workDir.resolve("exports").resolve(id + "-v" + chosen.version() + "." + format);
        if (Files.exists(file)) {
            return file;
        }
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
        try {
            float[] params = new VectorBlobs(blobs, workDir.resolve("tmp")).read(chosen.paramsBlob(), row.paramCount());
            Path model = blobs.file(row.spec().model());
            trainer.use(t -> {
                t.load(model, row.spec().compile());
                t.set(params); // under the same hold of the worker as the export: no evaluation in between
                if (format.equals("h5")) {
                    t.exportH5(temp);
                } else if (format.equals("keras")) {
                    t.exportKeras(temp);
                } else {
                    t.exportZip(temp);
                }
                return null;
            });
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        return file;
    }

    /** A .keras upload is a zip; a Keras 2 or 3 .h5 is not. */
    private static boolean isZip(Path file) throws java.io.IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == 'P' && head[1] == 'K';
        }
    }
}
