package org.daig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.daig.api.trainer.TrainerOps;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * submit checks everything before it uploads: against a coordinator that records every request
 * (and answers none usefully), a refused submission must leave it untouched.
 */
class SubmitPreflightTest {

    /** Every request the stand-in coordinator got. */
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private HttpServer coordinator;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws IOException {
        coordinator = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        coordinator.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        coordinator.start();
    }

    @AfterEach
    void stop() {
        coordinator.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + coordinator.getAddress().getPort();
    }

    @Test
    void badSettingsAndMissingFilesAreAllNamedAndNothingIsUploaded() {
        Run run = Run.of("submit", "--coordinator", base(), "--model", tmp.resolve("none.h5").toString(), "--x",
                tmp.resolve("x.npy").toString(), "--y", tmp.resolve("y.npy").toString(), "--epochs", "0", "--batch", "8", "--tasks", "6",
                "--k", "9");
        assertEquals(1, run.status, run.toString());
        assertTrue(run.err().contains("nothing was uploaded"), run.toString());
        assertTrue(run.err().contains("  - --epochs must be at least 1"), run.toString());
        assertTrue(run.err().contains("  - --k (tasks per round) must be between 1 and --tasks (6)"), run.toString());
        assertTrue(run.err().contains("none.h5 cannot be read"), run.toString());
        assertFalse(run.err().contains("Exception"), run.toString());
        assertEquals(List.of(), requests, "nothing reached the coordinator");
    }

    @Test
    void theWorkersFindingsJoinTheSettingsProblemsAndTheWorkerIsClosed() throws IOException {
        Path model = Files.write(tmp.resolve("m.h5"), new byte[] { 1 });
        Path x = Files.write(tmp.resolve("x.npy"), new byte[] { 1 });
        Path y = Files.write(tmp.resolve("bad-y.npy"), new byte[] { 1 });
        FakeWorker worker = new FakeWorker(List.of(y + ": label 3 is 3 but the model has 3 classes"), 240);
        Run run = Run.of(() -> limits -> worker, "submit", "--coordinator", base(), "--model", model.toString(), "--x", x.toString(),
                "--y", y.toString(), "--epochs", "0", "--batch", "8", "--tasks", "6", "--k", "2");
        assertEquals(1, run.status, run.toString());
        assertTrue(run.err().contains("  - --epochs must be at least 1"), run.toString());
        assertTrue(run.err().contains("  - " + y + ": label 3 is 3 but the model has 3 classes"), run.toString());
        assertEquals(List.of(TrainerOps.CHECK), worker.ops, "the worker was asked to check the files");
        assertTrue(worker.closed, "the worker was closed");
        assertEquals(List.of(), requests, "nothing reached the coordinator");
    }

    @Test
    void tooManyTasksForTheRowsIsSaidInTheOptionsTerms() throws IOException {
        Path model = Files.write(tmp.resolve("m.h5"), new byte[] { 1 });
        Path x = Files.write(tmp.resolve("x.npy"), new byte[] { 1 });
        Path y = Files.write(tmp.resolve("y.npy"), new byte[] { 1 });
        FakeWorker worker = new FakeWorker(List.of(), 10);
        Run run = Run.of(() -> limits -> worker, "submit", "--coordinator", base(), "--model", model.toString(), "--x", x.toString(),
                "--y", y.toString(), "--epochs", "1", "--batch", "8", "--tasks", "20", "--k", "2");
        assertEquals(1, run.status, run.toString());
        assertTrue(run.err().contains("  - --tasks is 20 but only 9 rows are left for training"), run.toString());
        assertEquals(List.of(), requests, "nothing reached the coordinator");
    }

    @Test
    void aWorkerThatCannotStartIsOneProblemNotAStackTrace() throws IOException {
        Path model = Files.write(tmp.resolve("m.h5"), new byte[] { 1 });
        Path x = Files.write(tmp.resolve("x.npy"), new byte[] { 1 });
        Path y = Files.write(tmp.resolve("y.npy"), new byte[] { 1 });
        WorkerLauncher none = limits -> {
            throw new IOException("the trainer runtime is missing: no /nowhere/lib");
        };
        Run run = Run.of(() -> none, "submit", "--coordinator", base(), "--model", model.toString(), "--x", x.toString(), "--y",
                y.toString(), "--epochs", "1", "--batch", "8", "--tasks", "6", "--k", "2");
        assertEquals(1, run.status, run.toString());
        assertTrue(run.err().contains("  - --model could not be checked: the trainer runtime is missing"), run.toString());
        assertEquals(List.of(), requests, "nothing reached the coordinator");
    }

    @Test
    void offATerminalUploadProgressIsOnePlainLinePerFile() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        UploadProgress progress = new UploadProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        progress.uploaded("model", Path.of("/d/m.h5"), 0, 2_000);
        progress.uploaded("model", Path.of("/d/m.h5"), 2_000, 2_000);
        progress.uploaded("model", Path.of("/d/m.h5"), 2_000, 2_000); // told twice: still one line
        progress.uploaded("x", Path.of("/d/x.npy"), 6_000_000, 12_300_000);
        progress.end(); // the upload stopped part way
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("uploading model m.h5: 2.0 kB ... done\nuploading x x.npy: 12.3 MB ... stopped at 6.0 MB\n",
                text.replace(System.lineSeparator(), "\n"));
        assertFalse(text.contains("\r"), "no bar redrawn in place");
    }

    @Test
    void onATerminalUploadProgressIsABarRedrawnInPlace() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        UploadProgress progress = new UploadProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        progress.uploaded("model", Path.of("m.h5"), 500, 1_000);
        progress.uploaded("model", Path.of("m.h5"), 1_000, 1_000);
        progress.end();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("\rupload model m.h5") && text.contains(" 50%") && text.contains("100%"), text);
    }

    /** A worker that answers the data check as told. */
    static final class FakeWorker implements Worker {
        final List<String> ops = new ArrayList<>();
        final List<String> problems;
        final long rows;
        boolean closed;

        FakeWorker(List<String> problems, long rows) {
            this.problems = problems;
            this.rows = rows;
        }

        @Override
        public long pid() {
            return 1;
        }

        @Override
        public boolean isAlive() {
            return !closed;
        }

        @Override
        public WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) {
            ops.add(op);
            return new WorkerAnswer(Map.of("problems", problems, "rows", (double) rows), new float[0]);
        }

        @Override
        public void suspend() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void kill() {
            closed = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
