package org.daig.experts.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.daig.experts.ExpertUid;
import org.daig.experts.Tensor;
import org.daig.experts.net.ExpertClient;
import org.daig.experts.net.ExpertServer;
import org.daig.tls.ServerKeystore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's expert relay over real TLS with the coordinator's own certificate: a device serves
 * its expert under its own id and a requestor calls it; grid tokens decide who gets in, and a device
 * cannot take another device's name; without TLS the relay stays on loopback.
 */
class GridRelayTest {

    private static final byte[] EXPERTS_TOKEN = "the-projects-experts-token".getBytes(StandardCharsets.UTF_8);
    private static final ExpertUid UID = ExpertUid.parse("ffn.0.1");

    @TempDir
    Path dir;

    /** Tokens the accounts know: a device's, a requestor's session, a volunteer's session (no requestor role). */
    static final class KnownTokens implements Accounts {
        private final Map<String, Identity> tokens = Map.of(
                "device-token-of-prov-1", new Identity("alice", Set.of(Role.VOLUNTEER), Scope.DEVICE, "prov-1", "t1", Long.MAX_VALUE),
                "session-of-bob", new Identity("bob", Set.of(Role.REQUESTOR), Scope.API, null, "t2", Long.MAX_VALUE),
                "session-of-carol", new Identity("carol", Set.of(Role.VOLUNTEER), Scope.API, null, "t3", Long.MAX_VALUE));

        @Override
        public Optional<Identity> verify(String token) {
            return Optional.ofNullable(tokens.get(token));
        }

        @Override
        public Optional<Identity> verifyClient(String username, String password) {
            return Optional.empty();
        }
    }

    /** A small linear expert: y = x W with W = [[1, 2], [3, 4]]. */
    static final class Linear implements ExpertServer.Block {
        @Override
        public int inputs() {
            return 2;
        }

        @Override
        public int outputs() {
            return 2;
        }

        @Override
        public Tensor forward(Tensor x) {
            float[] d = x.data();
            float[] y = new float[d.length];
            for (int r = 0; r < x.dimension(0); r++) {
                y[2 * r] = d[2 * r] + 3 * d[2 * r + 1];
                y[2 * r + 1] = 2 * d[2 * r] + 4 * d[2 * r + 1];
            }
            return new Tensor(new int[] {x.dimension(0), 2}, y);
        }

        @Override
        public Tensor backward(Tensor x, Tensor g) {
            throw new UnsupportedOperationException("forward only");
        }

        @Override
        public float[] parameters() {
            return new float[] {1, 2, 3, 4};
        }
    }

    static RelayConfig config(String host, int port) {
        return (RelayConfig) Proxy.newProxyInstance(RelayConfig.class.getClassLoader(), new Class<?>[] {RelayConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                case "port" -> port;
                case "host" -> host;
                case "maxPayloadBytes" -> 1L << 20;
                case "annotationType" -> RelayConfig.class;
                default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Client sockets that trust the coordinator's CA (the top of its chain), as a provider pins it. */
    static SocketFactory trusting(ServerKeystore tls) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            store.load(in, tls.password());
        }
        Certificate[] chain = store.getCertificateChain(store.aliases().nextElement());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("coordinator-ca", chain[chain.length - 1]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    @Test
    void aDeviceServesThroughTheTlsRelayAndARequestorCallsIt() throws Exception {
        ServerKeystore tls = ServerKeystore.generated(dir, "localhost", Set.of("localhost", "127.0.0.1"));
        int port = freePort();
        GridRelay relay = new GridRelay(new KnownTokens(), tls, config("127.0.0.1", port));
        try (ExpertServer host = new ExpertServer(Map.of(UID, new Linear()), EXPERTS_TOKEN, 64);
                ExpertClient requestor = new ExpertClient(EXPERTS_TOKEN, 5_000, 5_000, 1 << 20,
                        "session-of-bob".getBytes(StandardCharsets.UTF_8), trusting(tls));
                ExpertClient volunteer = new ExpertClient(EXPERTS_TOKEN, 5_000, 5_000, 1 << 20,
                        "session-of-carol".getBytes(StandardCharsets.UTF_8), trusting(tls))) {
            assertEquals(port, relay.port());
            SocketFactory sockets = trusting(tls);
            IOException notYours = assertThrows(IOException.class, () -> host.serveThrough("127.0.0.1:" + port,
                    "device-token-of-prov-1".getBytes(StandardCharsets.UTF_8), "prov-2", sockets, 1 << 20));
            assertTrue(notYours.getMessage().contains("under its own device id only"), notYours.getMessage());
            host.serveThrough("127.0.0.1:" + port, "device-token-of-prov-1".getBytes(StandardCharsets.UTF_8), "prov-1", sockets, 1 << 20);

            String address = ExpertClient.RELAY_PREFIX + "127.0.0.1:" + port + "/prov-1";
            Tensor x = new Tensor(new int[] {1, 2}, new float[] {1, 1});
            assertArrayEquals(new float[] {4, 6}, requestor.connect(UID, address).forward(x).get(10, TimeUnit.SECONDS).data());
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> volunteer.connect(UID, address).forward(x).get(10, TimeUnit.SECONDS));
            assertTrue(refused.getCause().getMessage().contains("only devices, requestors and admins call experts"),
                    refused.getCause().getMessage());
            try (ExpertClient plain = new ExpertClient(EXPERTS_TOKEN, 2_000, 2_000, 1 << 20,
                    "session-of-bob".getBytes(StandardCharsets.UTF_8), SocketFactory.getDefault())) {
                assertThrows(ExecutionException.class, () -> plain.connect(UID, address).forward(x).get(10, TimeUnit.SECONDS),
                        "a caller without TLS gets nothing");
            }
            assertEquals(1, host.served(), "only the requestor's call reached the expert");
        } finally {
            relay.deactivate();
        }
    }

    @Test
    void withoutTlsTheRelayStaysOnLoopbackAndPortZeroIsOff() throws Exception {
        IOException open = assertThrows(IOException.class, () -> new GridRelay(new KnownTokens(), null, config("0.0.0.0", freePort())));
        assertTrue(open.getMessage().contains("without TLS"), open.getMessage());
        GridRelay off = new GridRelay(new KnownTokens(), null, config("0.0.0.0", 0));
        assertEquals(0, off.port());
        off.deactivate();
    }

    @Test
    void tokensThatAreNotUtf8OrUnknownAreRefused() {
        GridRelayAccess access = new GridRelayAccess(new KnownTokens());
        assertNull(access.admitCaller("device-token-of-prov-1".getBytes(StandardCharsets.UTF_8), "prov-9"), "a volunteer's trainer");
        assertTrue(access.admitCaller(new byte[] {(byte) 0xff, (byte) 0xfe}, "prov-1").startsWith("refused"));
        assertTrue(access.admitHost("session-of-bob".getBytes(StandardCharsets.UTF_8), "prov-1").startsWith("refused"),
                "a person's session cannot host");
        assertTrue(access.admitHost("guessed".getBytes(StandardCharsets.UTF_8), "prov-1").startsWith("refused"));
    }
}
