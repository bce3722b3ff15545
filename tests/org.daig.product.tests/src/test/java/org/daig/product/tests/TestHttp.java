package org.daig.product.tests;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The tests' one HTTP client. Over https it trusts the CAs that the test coordinators generated
 * at their first start (added with {@link #trust}), and checks host names as any client does;
 * while none is added, the JDK's own trust store.
 */
final class TestHttp {

    private static final List<Certificate> CAS = new CopyOnWriteArrayList<>();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(context()).build();

    private TestHttp() {
    }

    /** Trusts the CA in {@code caPem} (a coordinator's {@code <data>/tls/ca.pem}) from now on. */
    static void trust(Path caPem) throws IOException {
        try (InputStream in = Files.newInputStream(caPem)) {
            CAS.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (CertificateException e) {
            throw new IOException(caPem + " holds no certificate: " + e.getMessage(), e);
        }
    }

    private static SSLContext context() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] { new AddedCas() }, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Delegates to a JDK trust manager over the CAs added so far (built per handshake: tests make few). */
    private static final class AddedCas extends X509ExtendedTrustManager {

        private static X509ExtendedTrustManager current() throws CertificateException {
            try {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                if (CAS.isEmpty()) {
                    factory.init((KeyStore) null);
                } else {
                    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                    store.load(null, null);
                    for (int i = 0; i < CAS.size(); i++) {
                        store.setCertificateEntry("ca-" + i, CAS.get(i));
                    }
                    factory.init(store);
                }
                for (TrustManager manager : factory.getTrustManagers()) {
                    if (manager instanceof X509ExtendedTrustManager extended) {
                        return extended;
                    }
                }
                throw new CertificateException("no X.509 trust manager");
            } catch (GeneralSecurityException | IOException e) {
                throw new CertificateException(e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            current().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            current().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current().checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a client only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return CAS.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        }
    }
}
