package org.daig.api.account;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The coordinator's accounts. Every surface that lets a caller in (the HTTP filter, the MQTT
 * broker's authenticator, the blob plane) asks {@link #verify}; everything else (login, admin,
 * devices) is on the same service so one component owns the account store.
 */
@ProviderType
public interface Accounts {

    /**
     * The identity a bearer token stands for; empty when the token is unknown, malformed,
     * expired, revoked, or its account is disabled. Never throws for bad input and never logs the token.
     */
    Optional<Identity> verify(String token);

    /**
     * The identity behind an MQTT connect: {@code username} is the client id, {@code password} a
     * {@link Scope#DEVICE} token bound to that device, or the {@link Scope#SERVICE} token of the
     * coordinator whose client id it is. Empty otherwise.
     */
    Optional<Identity> verifyClient(String username, String password);

    /**
     * The account a device (provider client id) is enrolled to, for crediting its work to the
     * account as well as the device; empty for an unknown device. Since 1.1.
     */
    default Optional<String> deviceAccount(String device) {
        return Optional.empty();
    }
}
