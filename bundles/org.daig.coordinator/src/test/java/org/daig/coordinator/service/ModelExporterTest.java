package org.daig.coordinator.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.daig.api.project.ProjectSpec;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports: the worker loads the model, takes the version's parameters and writes the file once; bad requests say why. */
class ModelExporterTest {

    @TempDir
    Path tmp;

    private Fixture fx;
    private ModelExporter exporter;
    private String project;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        exporter = new ModelExporter(fx, fx.trainer, fx.blobs, tmp.resolve("work"));
        ProjectRow row = fx.scheduler.create(new ProjectSpec("t", fx.vector(9), "b".repeat(64), "c".repeat(64), 1, 8, 1, 1, 1, 0.1, 1,
                ProjectSpec.KBATCH_SYNC, 7));
        fx.scheduler.prepared(row.id(), 2, 10, 1, null, null, List.of(new ShardRow(0, "d".repeat(64), "e".repeat(64), 10)),
                fx.vector(0.25f, 0.5f), null);
        project = row.id();
        fx.worker.answers.put("load", f -> new WorkerAnswer(Map.of("params", 2.0, "outputs", 1.0), new float[0]));
        fx.worker.answers.put("set", f -> new WorkerAnswer(Map.of(), new float[0]));
        fx.worker.answers.put("export", f -> {
            try {
                Files.writeString(Path.of(String.valueOf(f.get("h5"))), "keras model");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return new WorkerAnswer(Map.of(), new float[0]);
        });
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void anH5IsWrittenFromTheVersionsParametersOnceThenServedFromDisk() throws Exception {
        Path file = exporter.export(project, -1, "h5");
        assertEquals(project + "-v0.h5", file.getFileName().toString());
        assertEquals("keras model", Files.readString(file));
        assertEquals(List.of("load", "set", "export"), fx.worker.calls);
        assertEquals(0.5f, fx.worker.payloads.get(1)[1], "the version's parameters were set before exporting");
        assertEquals(file, exporter.export(project, 0, "h5"));
        assertEquals(3, fx.worker.calls.size(), "the second download needs no worker");
    }

    @Test
    void npyIsTheParametersBlobAndBadRequestsSayWhy() throws Exception {
        assertTrue(exporter.export(project, 0, "npy").toString().startsWith(tmp.toString()));
        assertTrue(fx.worker.calls.isEmpty());
        IllegalArgumentException format = assertThrows(IllegalArgumentException.class, () -> exporter.export(project, 0, "onnx"));
        assertTrue(format.getMessage().contains("'onnx' is not offered"), format.getMessage());
        IllegalStateException version = assertThrows(IllegalStateException.class, () -> exporter.export(project, 5, "h5"));
        assertEquals("project " + project + " has versions 0-0, not 5", version.getMessage());
        assertEquals("no project nope", assertThrows(IllegalStateException.class, () -> exporter.export("nope", 0, "h5")).getMessage());
    }
}
