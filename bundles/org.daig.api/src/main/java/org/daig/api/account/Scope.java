package org.daig.api.account;

import java.util.Locale;

/** What a token may be used for; a token of one scope is refused where another is needed. */
public enum Scope {
    /** A person's session (login): the HTTP API, as the account's roles allow. */
    API,
    /** A provider machine: its own MQTT subtree, and the blobs of the leases it holds. */
    DEVICE,
    /** The coordinator's own connections (its MQTT client). Never handed to a person. */
    SERVICE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
