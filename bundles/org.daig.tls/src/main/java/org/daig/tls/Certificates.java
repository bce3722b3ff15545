package org.daig.tls;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Makes and reads the coordinator's certificates with Bouncy Castle: a CA of its own plus a
 * server certificate it signs (ECDSA P-256), or the operator's PEM chain and key.
 */
public final class Certificates {

    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration SERVER_VALIDITY = Duration.ofDays(825);

    /** A server key with its chain, leaf first. */
    public record KeyAndChain(PrivateKey key, X509Certificate[] chain) {
    }

    private Certificates() {
    }

    /** A new CA and a server certificate for {@code names} (DNS names or IP literals), signed by it. */
    public static KeyAndChain generate(String commonName, Set<String> names, Instant now) throws GeneralSecurityException {
        try {
            KeyPair caKeys = ecKeys();
            X500Name caName = new X500Name("CN=DAIG coordinator CA " + sanitize(commonName));
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(CA_VALIDITY)), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCertificate = sign(ca, caKeys.getPrivate());

            KeyPair serverKeys = ecKeys();
            X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caCertificate, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(SERVER_VALIDITY)), new X500Name("CN=" + sanitize(commonName)), serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, alternativeNames(names))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCertificate));
            X509Certificate serverCertificate = sign(server, caKeys.getPrivate());
            return new KeyAndChain(serverKeys.getPrivate(), new X509Certificate[] {serverCertificate, caCertificate});
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot make a certificate: " + e.getMessage(), e);
        }
    }

    /** The operator's chain (leaf first) and unencrypted key from PEM files; errors name the file. */
    public static KeyAndChain readPem(Path certificateFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(certificateFile, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(certificateFile + ": not a PEM certificate chain (" + e.getMessage() + ")", e);
        }
        if (chain.isEmpty()) {
            throw new IOException(certificateFile + ": no CERTIFICATE block found; expected the server certificate, then its issuers, in PEM");
        }
        PrivateKey key;
        try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            Object item = parser.readObject();
            JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
            if (item instanceof PEMKeyPair pair) {
                key = keys.getPrivateKey(pair.getPrivateKeyInfo());
            } else if (item instanceof PrivateKeyInfo info) {
                key = keys.getPrivateKey(info);
            } else {
                throw new IOException(keyFile + ": no unencrypted private key found (expected BEGIN PRIVATE KEY, BEGIN EC PRIVATE KEY or "
                        + "BEGIN RSA PRIVATE KEY; decrypt an encrypted key with openssl pkey first)");
            }
        }
        return new KeyAndChain(key, chain.toArray(X509Certificate[]::new));
    }

    /** This machine's name, localhost and loopback, plus the configured names. */
    public static Set<String> defaultNames(String[] configured) {
        Set<String> names = new LinkedHashSet<>();
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            // a machine without a resolvable name still has localhost
        }
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        for (String name : configured == null ? new String[0] : configured) {
            if (name != null && !name.isBlank()) {
                names.add(name.trim());
            }
        }
        return names;
    }

    private static GeneralNames alternativeNames(Set<String> names) {
        List<GeneralName> list = new ArrayList<>();
        for (String name : names) {
            boolean address = name.matches("[0-9.]+") || name.contains(":");
            list.add(new GeneralName(address ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        return new GeneralNames(list.toArray(GeneralName[]::new));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    }

    /** Keeps an X.500 name from being broken by a host name with commas or equals signs. */
    private static String sanitize(String name) {
        return name == null ? "coordinator" : name.replaceAll("[^A-Za-z0-9 ._-]", "_");
    }
}
