package org.daig.trainer.experts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.trainer.TrainerException;
import org.daig.trainer.data.NpyArray;
import org.daig.trainer.data.NpyWriter;

/**
 * An expert host in its own JVM (issue 18): hosts the {@link ExpertBlock}s named on the command line
 * with {@link ExpertHosting} (served over TCP, announced into the DHT over UDP every 30 s). Calls must
 * carry the experts' token ({@code DAIG_EXPERTS_TOKEN}, or {@code --token-file}). A provider's worker
 * hosts experts the same way (the worker protocol's host-experts operation). {@code --checkpoint FILE}
 * starts from the parameters in FILE when it exists and writes them there every {@code --checkpoint-s}
 * (60) and at exit; {@code --relay HOST:PORT --relay-name NAME} serves through an expert relay (no
 * listening socket; the relay's token from {@code DAIG_RELAY_TOKEN} or {@code --relay-token-file}, TLS
 * with {@code --relay-ca CERT}). What {@code daig experts host} runs.
 *
 * <pre>
 * java -cp trainer class path org.daig.trainer.experts.ExpertHostMain --uids ffn.0.0,ffn.0.1 [--host 127.0.0.1] [--port 0]
 *   [--dht-port 0] [--bootstrap HOST:PORT] [--announce HOST:PORT] [--inputs 128] [--hidden 128]
 *   [--lr 0.001] [--optimizer adam|sgd|momentum] [--seed 18] [--max-rows 4096] [--announce-s 30]
 * </pre>
 * Entries live 60 s whatever {@code --announce-s} says; announcing more often heals sooner what a host
 * announced before the later peers joined (this DHT does not hand keys to a peer that joins).
 * Prints one line {@code expert host ready: ...} once its experts are announced.
 */
public final class ExpertHostMain {

    private static final Set<String> OPTIONS = Set.of("uids", "host", "port", "dht-port", "bootstrap", "announce", "inputs", "hidden",
            "lr", "optimizer", "seed", "max-rows", "announce-s", "token-file", "checkpoint", "checkpoint-s", "relay", "relay-name",
            "relay-token-file", "relay-ca");
    /** The environment variable with the relay's token (a device's grid token for the coordinator's relay). */
    static final String RELAY_TOKEN_VARIABLE = "DAIG_RELAY_TOKEN";

    private ExpertHostMain() {
    }

    public static void main(String[] args) throws Exception {
        MainArgs a = new MainArgs("expert host", args, OPTIONS);
        List<ExpertUid> uids = new ArrayList<>();
        for (String u : a.text("uids", null).split(",")) {
            uids.add(ExpertUid.parse(u.trim()));
        }
        String host = a.text("host", "127.0.0.1");
        ExpertHosting.Relay relay = a.has("relay") ? ExpertHosting.Relay.of(a.text("relay", null), a.secret("relay-token-file",
                RELAY_TOKEN_VARIABLE, "the relay's token"), a.text("relay-name", null), a.has("relay-ca") ? Path.of(a.text("relay-ca", null))
                        : null) : null;
        Path checkpoint = a.has("checkpoint") ? Path.of(a.text("checkpoint", null)) : null;
        float[] initial = checkpoint != null && Files.isRegularFile(checkpoint) ? readCheckpoint(checkpoint) : new float[0];
        ExpertHosting hosting = ExpertHosting.start(new ExpertHosting.Settings(uids, a.integer("inputs", 128), a.integer("hidden", 128),
                a.text("optimizer", "adam"), a.number("lr", 1e-3), a.integer("seed", 18), a.token(), host, a.integer("port", 0),
                a.has("announce") ? a.text("announce", null) : null, a.integer("dht-port", 0), a.has("bootstrap") ? a.text("bootstrap", null)
                        : null, a.integer("announce-s", (int) (ExpertAnnouncer.REFRESH_MILLIS / 1000)) * 1000L, a.integer("max-rows", 4096),
                relay), initial);
        if (checkpoint != null) {
            long every = a.integer("checkpoint-s", 60) * 1000L;
            ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "expert-checkpoints");
                t.setDaemon(true);
                return t;
            });
            saver.scheduleWithFixedDelay(() -> save(hosting, checkpoint), every, every, TimeUnit.MILLISECONDS);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (checkpoint != null) {
                save(hosting, checkpoint);
            }
            System.out.println("expert host " + hosting.announced() + " stops: " + hosting.server().served() + " calls served in "
                    + hosting.server().batches() + " passes, " + hosting.server().refused() + " refused, "
                    + hosting.dht().transport().malformed() + " malformed datagrams");
            hosting.close();
        }));
        System.out.println("expert host ready: experts " + uids + (initial.length > 0 ? " (from checkpoint " + checkpoint + ")" : "")
                + " on " + host + ":" + hosting.port() + " (announced as "
                + hosting.announced() + ", " + hosting.entriesKept() + " entries kept), dht " + hosting.dhtAddress() + ", knows "
                + hosting.knownPeers() + " peers");
        new CountDownLatch(1).await(); // serves until the process is stopped
    }

    /** Every hosted cell's parameters, in cell order, as one float32 .npy (written to a temp file, then renamed). */
    static void save(ExpertHosting hosting, Path file) {
        try {
            float[] p = hosting.parameters();
            NpyWriter.writeFloat32(file, new long[] {p.length}, p);
        } catch (IOException e) {
            System.err.println("expert host: could not write the checkpoint " + file + ": " + e.getMessage());
        }
    }

    private static float[] readCheckpoint(Path file) throws TrainerException {
        try (NpyArray a = NpyArray.open(file)) {
            return a.readFloats(0, a.rows());
        }
    }
}
