package org.daig.api.account;

import java.util.Objects;
import java.util.Set;

/**
 * An authenticated caller: the account, its roles, and the token that proved it.
 *
 * @param user     the account name
 * @param roles    the account's roles when the token was checked
 * @param scope    what the token is for
 * @param device   the device (provider client id) a {@link Scope#DEVICE} token is bound to; null otherwise
 * @param tokenId  the token's public id (never the token itself), for revocation and logs
 * @param expiresAt epoch ms after which the token is refused
 */
public record Identity(String user, Set<Role> roles, Scope scope, String device, String tokenId, long expiresAt) {

    /** The servlet request attribute under which the HTTP filter leaves the caller's identity. */
    public static final String REQUEST_ATTRIBUTE = "org.daig.identity";

    public Identity {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(scope, "scope");
        roles = Set.copyOf(roles);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    public boolean isAdmin() {
        return scope == Scope.API && roles.contains(Role.ADMIN);
    }
}
