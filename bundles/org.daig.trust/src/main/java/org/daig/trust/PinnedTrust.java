package org.daig.trust;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust on first use, as SSH does it: the first coordinator certificate a client sees is pinned
 * (its SHA-256 fingerprint written to a file), and from then on only a chain containing that
 * certificate is accepted. An operator may instead configure the fingerprint, so even the first
 * contact is checked. The pinned certificate is the top of the presented chain — the CA the
 * coordinator generated, or an operator's issuing CA — so a renewed server certificate from the
 * same CA is still accepted.
 *
 * <p>Host names are not checked: the pin is stronger than a name, and volunteers reach a
 * coordinator by whatever address works for them.
 */
public final class PinnedTrust extends X509ExtendedTrustManager {

    private final Path pinFile;
    private final String configured;

    /**
     * @param pinFile    where the first-seen fingerprint is kept (null: nothing is remembered, so a configured fingerprint is required)
     * @param configured a fingerprint the operator gave, or null/blank to learn it on first contact
     */
    public PinnedTrust(Path pinFile, String configured) {
        this.pinFile = pinFile;
        String normalized = Fingerprint.normalize(configured);
        if (configured != null && !configured.isBlank() && normalized == null) {
            throw new IllegalArgumentException("'" + configured + "' is not a SHA-256 fingerprint (64 hex digits, colons optional)");
        }
        this.configured = normalized;
    }

    /** The fingerprint now trusted: the configured one, else the pinned one; empty before first contact. */
    public Optional<String> trusted() {
        if (configured != null) {
            return Optional.of(configured);
        }
        return readPin();
    }

    /** A TLS context that trusts only the pinned certificate. */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {this}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM offers no TLS: " + e.getMessage(), e);
        }
    }

    /** For HTTPS connections: the pin already decided, so any host name is fine. */
    public static HostnameVerifier anyHost() {
        return (host, session) -> true;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    private synchronized void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        for (X509Certificate certificate : chain) {
            certificate.checkValidity();
        }
        Optional<String> expected = trusted();
        if (expected.isEmpty()) {
            pin(Fingerprint.of(chain[chain.length - 1]));
            return;
        }
        for (X509Certificate certificate : chain) {
            if (Fingerprint.of(certificate).equals(expected.get())) {
                return;
            }
        }
        throw new CertificateChangedException(expected.get(), Fingerprint.of(chain[chain.length - 1]), configured != null ? null : pinFile);
    }

    private Optional<String> readPin() {
        if (pinFile == null || !Files.exists(pinFile)) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(pinFile, StandardCharsets.US_ASCII).lines().findFirst().orElse("");
            return Optional.ofNullable(Fingerprint.normalize(text));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void pin(String fingerprint) throws CertificateException {
        if (pinFile == null) {
            throw new CertificateException("no fingerprint configured for the coordinator, and nowhere to remember the first one");
        }
        try {
            Files.createDirectories(pinFile.toAbsolutePath().getParent());
            Path temporary = pinFile.resolveSibling(pinFile.getFileName() + ".tmp");
            Files.writeString(temporary, fingerprint + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, pinFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CertificateException("cannot remember the coordinator's fingerprint in " + pinFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a DAIG client does not accept client connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
