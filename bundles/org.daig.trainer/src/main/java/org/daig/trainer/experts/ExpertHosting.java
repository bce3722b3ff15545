package org.daig.trainer.experts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.daig.experts.ExpertUid;
import org.daig.experts.dht.ExpertAnnouncer;
import org.daig.experts.dht.UdpNode;
import org.daig.experts.net.ExpertClient;
import org.daig.experts.net.ExpertServer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Experts hosted by this JVM (issue 18): {@link ExpertBlock}s served over TCP ({@link ExpertServer}),
 * announced into the DHT over UDP at once and then every {@code announceMillis}. What an expert host
 * main ({@link ExpertHostMain}) and a provider's worker (the worker protocol's host-experts operation)
 * both run. An expert starts from the parameters it is given (a checkpoint) or, without them, from
 * its uid and the seed alone, so every host of a cell starts the same.
 */
public final class ExpertHosting implements AutoCloseable {

    /**
     * What to host: {@code cells} with blocks {@code width} → {@code hidden} → {@code width}, stepped by
     * {@code optimizer} (adam, sgd or momentum) at {@code learningRate}; served on host:port (0: any
     * free port) and announced as {@code announce} (null: host:port, e.g. a relay's address instead);
     * the DHT peer on host:dhtPort joins through {@code bootstrap} (null: this peer is the first).
     */
    public record Settings(List<ExpertUid> cells, int width, int hidden, String optimizer, double learningRate, long seed, byte[] token,
            String host, int port, String announce, int dhtPort, String bootstrap, long announceMillis, int maxRows, Relay relay) {

        /** Hosting that callers reach directly. */
        public Settings(List<ExpertUid> cells, int width, int hidden, String optimizer, double learningRate, long seed, byte[] token,
                String host, int port, String announce, int dhtPort, String bootstrap, long announceMillis, int maxRows) {
            this(cells, width, hidden, optimizer, learningRate, seed, token, host, port, announce, dhtPort, bootstrap, announceMillis, maxRows,
                    null);
        }

        public Settings {
            if (cells.isEmpty()) {
                throw new IllegalArgumentException("expert hosting needs at least one cell");
            }
            if (announceMillis < 1_000 || announceMillis > ExpertAnnouncer.EXPIRY_MILLIS / 2) {
                throw new IllegalArgumentException("experts are announced every 1-" + ExpertAnnouncer.EXPIRY_MILLIS / 2000 + " s (entries live "
                        + ExpertAnnouncer.EXPIRY_MILLIS / 1000 + " s), not every " + announceMillis + " ms");
            }
            updater(optimizer, learningRate); // refuses an unknown optimizer before anything starts
            cells = List.copyOf(cells);
            token = token.clone();
        }
    }

    /**
     * Hosting behind NAT: no listening socket; the experts are served through the relay at
     * {@code address} (host:port) as {@code name}, admitted with {@code token}, over {@code sockets}
     * (TLS for the coordinator's relay), and announced as {@code relay:address/name}; the DHT peer
     * runs in client mode (nobody can call it back).
     */
    public record Relay(String address, byte[] token, String name, SocketFactory sockets) {

        /** Over TLS trusting the certificate in {@code caFile} (DER or PEM; the coordinator's CA), or plain when it is null. */
        public static Relay of(String address, byte[] token, String name, Path caFile) throws IOException, GeneralSecurityException {
            return new Relay(address, token, name, sockets(caFile));
        }

        /** Sockets to a relay: TLS trusting the certificate in {@code caFile} (DER or PEM), or plain when it is null. */
        public static SocketFactory sockets(Path caFile) throws IOException, GeneralSecurityException {
            if (caFile == null) {
                return SocketFactory.getDefault();
            }
            Certificate ca;
            try (InputStream in = Files.newInputStream(caFile)) {
                ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("relay-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls.getSocketFactory();
        }
    }

    private final Settings settings;
    private final Map<ExpertUid, ExpertBlock> blocks = new LinkedHashMap<>();
    private final ExpertServer server;
    private final UdpNode dht;
    private final String announced;
    private final ScheduledExecutorService timer;
    private final int entriesKept;

    private ExpertHosting(Settings s, float[] initial) throws IOException {
        this.settings = s;
        long perCell = parametersPerCell();
        if (initial.length != 0 && initial.length != perCell * s.cells().size()) {
            throw new IllegalArgumentException("the starting parameters have " + initial.length + " values; " + s.cells().size()
                    + " cells of " + perCell + " need " + perCell * s.cells().size());
        }
        for (int i = 0; i < s.cells().size(); i++) {
            ExpertUid uid = s.cells().get(i);
            ExpertBlock block = new ExpertBlock(s.width(), s.hidden(), s.width(), updater(s.optimizer(), s.learningRate()), s.seed() + cellSeed(uid));
            if (initial.length != 0) {
                block.setParameters(Arrays.copyOfRange(initial, (int) (i * perCell), (int) ((i + 1) * perCell)));
            }
            blocks.put(uid, block);
        }
        server = new ExpertServer(blocks, s.token(), s.maxRows());
        UdpNode node = null;
        try {
            Relay relay = s.relay();
            if (relay == null) {
                int port = server.start(s.host(), s.port());
                announced = s.announce() != null ? s.announce() : s.host() + ":" + port;
                node = UdpNode.start(s.host(), s.dhtPort(), 2_000, s.token()); // datagrams tagged with the experts' token
            } else {
                server.serveThrough(relay.address(), relay.token(), relay.name(), relay.sockets(), 4L * s.maxRows() * s.width());
                announced = ExpertClient.RELAY_PREFIX + relay.address() + "/" + relay.name();
                node = UdpNode.startClient(s.host(), s.dhtPort(), 2_000, s.token());
            }
            if (s.bootstrap() != null && !s.bootstrap().equals(node.address())) {
                node.join(s.bootstrap()).get(30, TimeUnit.SECONDS);
            }
            entriesKept = ExpertAnnouncer.announce(node.node(), s.cells(), announced).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.close();
            if (node != null) {
                node.close();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof IOException io ? io : new IOException("expert hosting could not start: " + e.getMessage(), e);
        }
        dht = node;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "expert-announcer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::announceAgain, s.announceMillis(), s.announceMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts hosting; {@code initial}: the cells' parameters to start from, one after the other in cell
     * order as {@link #parameters} gives them (a checkpoint), or empty to start fresh.
     */
    public static ExpertHosting start(Settings settings, float[] initial) throws IOException {
        return new ExpertHosting(settings, initial);
    }

    private void announceAgain() {
        if (settings.bootstrap() != null && dht.node().knownPeers() == 0) {
            dht.join(settings.bootstrap()); // every peer timed out once (a busy machine): find them again before announcing
        }
        ExpertAnnouncer.announce(dht.node(), settings.cells(), announced);
    }

    /** The TCP port callers reach the experts on; 0 when they are served through a relay. */
    public int port() {
        return settings.relay() == null ? server.port() : 0;
    }

    /** The address the experts are announced under. */
    public String announced() {
        return announced;
    }

    /** This host's DHT peer, host:port (UDP). */
    public String dhtAddress() {
        return dht.address();
    }

    public int knownPeers() {
        return dht.node().knownPeers();
    }

    /** How many DHT peers kept the first announcement. */
    public int entriesKept() {
        return entriesKept;
    }

    public List<ExpertUid> cells() {
        return settings.cells();
    }

    public ExpertServer server() {
        return server;
    }

    public UdpNode dht() {
        return dht;
    }

    /** Every cell's parameters, one after the other in {@link #cells} order (each block's own lock: never half a step). */
    public float[] parameters() {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (ExpertBlock b : blocks.values()) {
            float[] p = b.parameters();
            parts.add(p);
            total += p.length;
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Parameters of one block of this hosting's size. */
    public long parametersPerCell() {
        return ExpertBlock.parameterCount(settings.width(), settings.hidden());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        server.close();
        dht.close();
    }

    static IUpdater updater(String name, double lr) {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("experts need a learning rate > 0, not " + lr);
        }
        return switch (name) {
            case "adam" -> new Adam(lr);
            case "sgd" -> new Sgd(lr);
            case "momentum" -> new Nesterovs(lr, 0.9);
            default -> throw new IllegalArgumentException("experts' optimizer must be adam, sgd or momentum, not '" + name + "'");
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
