package org.daig.tls;

import java.nio.file.Path;

/**
 * The coordinator's TLS identity, registered only while TLS is on: a PKCS#12 key store holding
 * the server key and chain, for the HTTPS listener and the MQTT broker's TLS port.
 */
public interface ServerTls {

    /** The PKCS#12 key store (readable by the service user only). */
    Path keystore();

    /** Its password (also the key's password). Never log it. */
    char[] password();

    /** SHA-256 fingerprint of the certificate clients pin: the top of the chain (the CA). */
    String fingerprint();
}
