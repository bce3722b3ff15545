package org.daig.trust;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a client keeps the fingerprints of the coordinators it has met, one file per address
 * ({@code host_port}), like SSH's known_hosts: in the product's data folder for a provider
 * ({@code daig.data.dir}), else in the user's configuration folder for the CLI and the workbench.
 * {@code DAIG_KNOWN_COORDINATORS} (or the property {@code daig.known.coordinators}) overrides both.
 */
public final class KnownCoordinators {

    private KnownCoordinators() {
    }

    public static Path folder() {
        String configured = System.getProperty("daig.known.coordinators", System.getenv("DAIG_KNOWN_COORDINATORS"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String data = System.getProperty("daig.data.dir");
        if (data != null && !data.isBlank()) {
            return Path.of(data, "known-coordinators");
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        String appData = System.getenv("APPDATA");
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        Path config = windows && appData != null ? Path.of(appData)
                : xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("daig").resolve("known-coordinators");
    }

    /** The pin file for a coordinator's address (any scheme: the HTTPS and MQTT/TLS listeners share the certificate). */
    public static Path pinFile(URI address) {
        int port = address.getPort() != -1 ? address.getPort() : "https".equalsIgnoreCase(address.getScheme()) ? 443 : 8883;
        String host = address.getHost() == null ? "unknown" : address.getHost().replaceAll("[^A-Za-z0-9._-]", "_");
        return folder().resolve(host + "_" + port);
    }

    /** Trust for {@code address}: its pinned fingerprint, or {@code fingerprint} when the operator gave one. */
    public static PinnedTrust trust(URI address, String fingerprint) {
        return new PinnedTrust(pinFile(address), fingerprint);
    }

    /**
     * The certificate of the coordinator at https {@code address}, PEM-encoded, as a TLS handshake shows
     * it once the pinned (or the given) fingerprint has accepted it: for a client that hands it to another
     * process, such as a worker reaching the coordinator's expert relay, which serves the same certificate.
     * Since 1.1.
     */
    public static String certificatePem(URI address, String fingerprint) throws java.io.IOException {
        int port = address.getPort() != -1 ? address.getPort() : 443;
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trust(address, fingerprint).sslContext().getSocketFactory()
                .createSocket(address.getHost(), port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            java.security.cert.Certificate leaf = socket.getSession().getPeerCertificates()[0];
            return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .encodeToString(leaf.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new java.io.IOException("the coordinator's certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    /** A client builder that trusts only the pinned coordinator when {@code address} is https; unchanged otherwise. */
    public static HttpClient.Builder secure(HttpClient.Builder builder, URI address) {
        if ("https".equalsIgnoreCase(address.getScheme())) {
            builder.sslContext(trust(address, System.getenv("DAIG_COORDINATOR_FINGERPRINT")).sslContext());
        }
        return builder;
    }
}
