package org.daig.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Set;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.daig.trust.CertificateChangedException;
import org.daig.trust.Fingerprint;
import org.daig.trust.PinnedTrust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * Real TLS handshakes against an HTTPS server using the key store the coordinator generates: the
 * first contact pins the CA, the same server is trusted again, a server with another certificate
 * is refused with a message naming both fingerprints, and a configured fingerprint is checked
 * even on the first contact.
 */
class PinnedTrustTest {

    @TempDir
    Path dir;

    @Test
    void firstContactPinsTheCaAndASecondCertificateIsRefused() throws Exception {
        ServerKeystore genuine = ServerKeystore.generated(dir.resolve("genuine"), "grid", Set.of("localhost", "127.0.0.1"));
        ServerKeystore impostor = ServerKeystore.generated(dir.resolve("impostor"), "grid", Set.of("localhost", "127.0.0.1"));
        assertNotEquals(genuine.fingerprint(), impostor.fingerprint());
        Path pin = dir.resolve("client/coordinator-fingerprint");
        PinnedTrust trust = new PinnedTrust(pin, null);
        assertTrue(trust.trusted().isEmpty());

        assertEquals("hello", get(genuine, trust));
        assertEquals(genuine.fingerprint(), trust.trusted().orElseThrow());
        assertEquals(genuine.fingerprint(), Files.readString(pin).trim());
        assertEquals("hello", get(genuine, new PinnedTrust(pin, null)), "a restarted client trusts the pinned coordinator");

        SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, () -> get(impostor, new PinnedTrust(pin, null)));
        CertificateChangedException changed = cause(refused);
        assertEquals(genuine.fingerprint(), changed.pinned());
        assertEquals(impostor.fingerprint(), changed.presented());
        assertTrue(changed.getMessage().contains(pin.toString()), changed.getMessage());
        assertEquals(genuine.fingerprint(), Files.readString(pin).trim(), "the pin is unchanged");
    }

    @Test
    void aConfiguredFingerprintIsCheckedOnFirstContact() throws Exception {
        ServerKeystore genuine = ServerKeystore.generated(dir.resolve("genuine"), "grid", Set.of("localhost"));
        ServerKeystore impostor = ServerKeystore.generated(dir.resolve("impostor"), "grid", Set.of("localhost"));
        Path pin = dir.resolve("pin");
        String typed = genuine.fingerprint().replace(":", "").toLowerCase();
        assertThrows(SSLHandshakeException.class, () -> get(impostor, new PinnedTrust(pin, typed)));
        assertFalse(Files.exists(pin), "nothing pinned from a refused contact");
        assertEquals("hello", get(genuine, new PinnedTrust(pin, typed)));
    }

    @Test
    void theDefaultJdkTrustRefusesTheGeneratedCertificate() throws Exception {
        ServerKeystore genuine = ServerKeystore.generated(dir.resolve("genuine"), "grid", Set.of("localhost"));
        assertThrows(SSLHandshakeException.class, () -> get(genuine, null));
    }

    @Test
    void theKeystoreIsReusedAndItsSecretsAreOwnerOnly() throws Exception {
        ServerKeystore first = ServerKeystore.generated(dir, "grid", Set.of("localhost"));
        ServerKeystore again = ServerKeystore.generated(dir, "grid", Set.of("localhost"));
        assertEquals(first.fingerprint(), again.fingerprint(), "a restart keeps the certificate clients pinned");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("server.p12"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keystore-password"))));
        assertTrue(Files.readString(dir.resolve("ca.pem")).startsWith("-----BEGIN CERTIFICATE-----"));
    }

    @Test
    void fingerprintsAreNormalizedFromWhatPeopleType() {
        String colons = "AB:".repeat(31) + "AB";
        assertEquals(colons, Fingerprint.normalize("ab".repeat(32)));
        assertEquals(colons, Fingerprint.normalize(" " + colons.toLowerCase() + "\n"));
        assertNull(Fingerprint.normalize("ab".repeat(31)));
        assertNull(Fingerprint.normalize("zz".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> new PinnedTrust(dir.resolve("p"), "not-a-fingerprint"));
    }

    private static CertificateChangedException cause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CertificateChangedException changed) {
                return changed;
            }
        }
        throw new AssertionError("no CertificateChangedException in " + t, t);
    }

    /** GET / from an HTTPS server using {@code keystore}; {@code trust} null = the JDK's default trust. */
    private static String get(ServerKeystore keystore, PinnedTrust trust) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore.keystore())) {
            store.load(in, keystore.password());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, keystore.password());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.createContext("/", exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            HttpsURLConnection connection = (HttpsURLConnection) URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/")
                    .toURL().openConnection();
            connection.setConnectTimeout(5000);
            connection.setReadTimeout(5000);
            if (trust != null) {
                connection.setSSLSocketFactory(trust.sslContext().getSocketFactory());
                connection.setHostnameVerifier(PinnedTrust.anyHost());
            }
            try (InputStream in = connection.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw e;
        } finally {
            server.stop(0);
        }
    }
}
