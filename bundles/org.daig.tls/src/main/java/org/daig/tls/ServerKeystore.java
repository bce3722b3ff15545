package org.daig.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

import org.daig.trust.Fingerprint;

/**
 * The folder that holds the coordinator's TLS identity: {@code server.p12} (key and chain),
 * {@code keystore-password} and {@code ca.pem} (the certificate clients pin, to hand out). Secret
 * files are created readable by their owner only.
 */
public final class ServerKeystore implements ServerTls {

    static final String ALIAS = "daig";

    private final Path keystore;
    private final char[] password;
    private final String fingerprint;

    private ServerKeystore(Path keystore, char[] password, String fingerprint) {
        this.keystore = keystore;
        this.password = password;
        this.fingerprint = fingerprint;
    }

    /** The key store in {@code dir}, made from a generated CA the first time. */
    public static ServerKeystore generated(Path dir, String commonName, Set<String> names) throws IOException, GeneralSecurityException {
        Path file = dir.resolve("server.p12");
        Path passwordFile = dir.resolve("keystore-password");
        if (Files.exists(file) && Files.exists(passwordFile)) {
            char[] password = Files.readString(passwordFile, StandardCharsets.US_ASCII).trim().toCharArray();
            return new ServerKeystore(file, password, Fingerprint.of(top(load(file, password))));
        }
        return write(dir, Certificates.generate(commonName, names, Instant.now()));
    }

    /** A key store in {@code dir} rebuilt from the operator's PEM files at every start, so replacing them is enough. */
    public static ServerKeystore fromPem(Path dir, Path certificateFile, Path keyFile) throws IOException, GeneralSecurityException {
        return write(dir, Certificates.readPem(certificateFile, keyFile));
    }

    static ServerKeystore write(Path dir, Certificates.KeyAndChain material) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        char[] password = randomPassword();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, material.key(), password, material.chain());
        Path file = dir.resolve("server.p12");
        Path temporary = ownerOnly(dir.resolve("server.p12.tmp"));
        try (OutputStream out = Files.newOutputStream(temporary)) {
            store.store(out, password);
        }
        Path passwordFile = dir.resolve("keystore-password");
        Path passwordTemporary = ownerOnly(dir.resolve("keystore-password.tmp"));
        Files.writeString(passwordTemporary, new String(password) + "\n", StandardCharsets.US_ASCII);
        Files.move(passwordTemporary, passwordFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        X509Certificate top = material.chain()[material.chain().length - 1];
        Files.writeString(dir.resolve("ca.pem"), pem(top), StandardCharsets.US_ASCII);
        return new ServerKeystore(file, password, Fingerprint.of(top));
    }

    @Override
    public Path keystore() {
        return keystore;
    }

    @Override
    public char[] password() {
        return password.clone();
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    static Certificate[] load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        Certificate[] chain = store.getCertificateChain(ALIAS);
        if (chain == null || chain.length == 0) {
            throw new GeneralSecurityException(file + " holds no key entry '" + ALIAS + "'; delete it to have a new one generated");
        }
        return chain;
    }

    private static X509Certificate top(Certificate[] chain) {
        return (X509Certificate) chain[chain.length - 1];
    }

    private static Path ownerOnly(Path file) throws IOException {
        Files.deleteIfExists(file);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return Files.createFile(file);
    }

    private static char[] randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    }

    static String pem(X509Certificate certificate) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }
}
