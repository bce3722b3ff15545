package org.daig.trust;

import java.nio.file.Path;
import java.security.cert.CertificateException;

/** The coordinator presented a certificate other than the one pinned: maybe an attacker, maybe a new certificate. */
public class CertificateChangedException extends CertificateException {

    private static final long serialVersionUID = 1L;

    private final String pinned;
    private final String presented;

    public CertificateChangedException(String pinned, String presented, Path pinFile) {
        super("The coordinator's certificate changed: pinned " + pinned + ", now presented " + presented
                + ". Someone may be posing as the coordinator. If its operator replaced the certificate and told you the new "
                + "fingerprint, delete " + (pinFile == null ? "the pinned fingerprint" : pinFile) + " (or set the new one) and start again.");
        this.pinned = pinned;
        this.presented = presented;
    }

    public String pinned() {
        return pinned;
    }

    public String presented() {
        return presented;
    }
}
