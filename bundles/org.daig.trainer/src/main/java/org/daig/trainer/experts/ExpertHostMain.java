package org.daig.trainer.experts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.experts.dht.UdpNode;
import org.daig.experts.net.ExpertServer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * An expert host in its own JVM (issue 18): hosts the {@link ExpertBlock}s named on the command line,
 * serves their forward and backward calls over TCP ({@link ExpertServer}), and announces them into the
 * DHT over UDP every 30 s. Calls must carry the token from {@code DAIG_EXPERTS_TOKEN}. An expert's
 * initial parameters depend on its uid and the seed only, so any host of a cell starts the same.
 *
 * <pre>
 * java -cp trainer class path org.daig.trainer.experts.ExpertHostMain --uids ffn.0.0,ffn.0.1 [--host 127.0.0.1] [--port 0]
 *   [--dht-port 0] [--bootstrap HOST:PORT] [--announce HOST:PORT] [--inputs 128] [--hidden 128] [--outputs 128]
 *   [--lr 0.001] [--optimizer adam|sgd|momentum] [--seed 18] [--max-rows 4096] [--announce-s 30]
 * </pre>
 * Entries live 60 s whatever {@code --announce-s} says; announcing more often heals sooner what a host
 * announced before the later peers joined (this DHT does not hand keys to a peer that joins).
 * Prints one line {@code expert host ready: ...} once its experts are announced.
 */
public final class ExpertHostMain {

    private static final Set<String> OPTIONS = Set.of("uids", "host", "port", "dht-port", "bootstrap", "announce", "inputs", "hidden",
            "outputs", "lr", "optimizer", "seed", "max-rows", "announce-s");

    private ExpertHostMain() {
    }

    public static void main(String[] args) throws Exception {
        MainArgs a = new MainArgs("expert host", args, OPTIONS);
        byte[] token = a.token();
        String host = a.text("host", "127.0.0.1");
        int inputs = a.integer("inputs", 128);
        int hidden = a.integer("hidden", 128);
        int outputs = a.integer("outputs", 128);
        double lr = a.number("lr", 1e-3);
        long seed = a.integer("seed", 18);
        Map<ExpertUid, ExpertBlock> blocks = new LinkedHashMap<>();
        for (String u : a.text("uids", null).split(",")) {
            ExpertUid uid = ExpertUid.parse(u.trim());
            blocks.put(uid, new ExpertBlock(inputs, hidden, outputs, updater(a.text("optimizer", "adam"), lr), seed + cellSeed(uid)));
        }
        ExpertServer server = new ExpertServer(blocks, token, a.integer("max-rows", 4096));
        int port = server.start(host, a.integer("port", 0));
        String announced = a.text("announce", host + ":" + port);
        UdpNode dht = UdpNode.start(host, a.integer("dht-port", 0), 2_000);
        if (a.has("bootstrap") && !a.text("bootstrap", null).equals(dht.address())) {
            dht.join(a.text("bootstrap", null)).get(30, TimeUnit.SECONDS);
        }
        List<ExpertUid> uids = new ArrayList<>(blocks.keySet());
        int kept = ExpertAnnouncer.announce(dht.node(), uids, announced).get(30, TimeUnit.SECONDS);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "expert-announcer");
            t.setDaemon(true);
            return t;
        });
        long every = a.integer("announce-s", (int) (ExpertAnnouncer.REFRESH_MILLIS / 1000)) * 1000L;
        String bootstrap = a.has("bootstrap") ? a.text("bootstrap", null) : null;
        timer.scheduleAtFixedRate(() -> {
            if (bootstrap != null && dht.node().knownPeers() == 0) {
                dht.join(bootstrap); // every peer timed out once: find them again before announcing
            }
            ExpertAnnouncer.announce(dht.node(), uids, announced);
        }, every, every, TimeUnit.MILLISECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("expert host " + host + ":" + port + " stops: " + server.served() + " calls served in " + server.batches()
                    + " passes, " + server.refused() + " refused, " + dht.transport().malformed() + " malformed datagrams");
            server.close();
            dht.close();
        }));
        System.out.println("expert host ready: experts " + uids + " on " + host + ":" + port + " (announced as " + announced + ", " + kept
                + " entries kept), dht " + dht.address() + ", knows " + dht.node().knownPeers() + " peers");
        new CountDownLatch(1).await(); // serves until the process is stopped
    }

    private static IUpdater updater(String name, double lr) {
        return switch (name) {
            case "adam" -> new Adam(lr);
            case "sgd" -> new Sgd(lr);
            case "momentum" -> new Nesterovs(lr, 0.9);
            default -> throw new IllegalArgumentException("expert host: --optimizer must be adam, sgd or momentum, not '" + name + "'");
        };
    }

    /** A cell's place in its grid's row-major order for 1-3 small coordinates; only has to differ between cells. */
    private static long cellSeed(ExpertUid uid) {
        long s = 0;
        for (int d = 0; d < uid.dimensions(); d++) {
            s = s * 1_000 + uid.coordinate(d);
        }
        return s;
    }
}
