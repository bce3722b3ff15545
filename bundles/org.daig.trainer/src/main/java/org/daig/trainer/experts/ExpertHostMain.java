package org.daig.trainer.experts;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertAnnouncer;

/**
 * An expert host in its own JVM (issue 18): hosts the {@link ExpertBlock}s named on the command line
 * with {@link ExpertHosting} (served over TCP, announced into the DHT over UDP every 30 s). Calls must
 * carry the token from {@code DAIG_EXPERTS_TOKEN}. A provider's worker hosts experts the same way
 * (the worker protocol's host-experts operation).
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
            "lr", "optimizer", "seed", "max-rows", "announce-s");

    private ExpertHostMain() {
    }

    public static void main(String[] args) throws Exception {
        MainArgs a = new MainArgs("expert host", args, OPTIONS);
        List<ExpertUid> uids = new ArrayList<>();
        for (String u : a.text("uids", null).split(",")) {
            uids.add(ExpertUid.parse(u.trim()));
        }
        String host = a.text("host", "127.0.0.1");
        ExpertHosting hosting = ExpertHosting.start(new ExpertHosting.Settings(uids, a.integer("inputs", 128), a.integer("hidden", 128),
                a.text("optimizer", "adam"), a.number("lr", 1e-3), a.integer("seed", 18), a.token(), host, a.integer("port", 0),
                a.has("announce") ? a.text("announce", null) : null, a.integer("dht-port", 0), a.has("bootstrap") ? a.text("bootstrap", null)
                        : null, a.integer("announce-s", (int) (ExpertAnnouncer.REFRESH_MILLIS / 1000)) * 1000L, a.integer("max-rows", 4096)),
                new float[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("expert host " + host + ":" + hosting.port() + " stops: " + hosting.server().served() + " calls served in "
                    + hosting.server().batches() + " passes, " + hosting.server().refused() + " refused, "
                    + hosting.dht().transport().malformed() + " malformed datagrams");
            hosting.close();
        }));
        System.out.println("expert host ready: experts " + uids + " on " + host + ":" + hosting.port() + " (announced as "
                + hosting.announced() + ", " + hosting.entriesKept() + " entries kept), dht " + hosting.dhtAddress() + ", knows "
                + hosting.knownPeers() + " peers");
        new CountDownLatch(1).await(); // serves until the process is stopped
    }
}
