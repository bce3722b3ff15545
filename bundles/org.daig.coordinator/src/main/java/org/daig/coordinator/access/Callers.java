package org.daig.coordinator.access;

import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;

/**
 * Who a caller is, in the terms the coordinator's rules use (docs/security.md): a person's
 * {@link Scope#API} token with the admin role sees everything; with the requestor role, only its
 * own projects and blobs; a {@link Scope#DEVICE} token is a provider, which reaches only what its
 * live leases need. Null (no identity) is nobody and may do nothing.
 */
public final class Callers {

    private Callers() {
    }

    public static boolean isAdmin(Identity caller) {
        return caller != null && caller.isAdmin();
    }

    /** A person with the requestor role (an admin without it is not one, but {@link #maySubmit} lets admins in too). */
    public static boolean isRequestor(Identity caller) {
        return caller != null && caller.scope() == Scope.API && caller.has(Role.REQUESTOR);
    }

    /** A provider machine, with the device its token is bound to. */
    public static boolean isDevice(Identity caller) {
        return caller != null && caller.scope() == Scope.DEVICE && caller.device() != null && !caller.device().isBlank();
    }

    /** Whether the caller may submit projects and upload files for them. */
    public static boolean maySubmit(Identity caller) {
        return isRequestor(caller) || isAdmin(caller);
    }

    /** Whether the caller may see and control a project owned by {@code owner}. */
    public static boolean mayUseProjectOf(Identity caller, String owner) {
        return isAdmin(caller) || isRequestor(caller) && caller.user().equals(owner);
    }

    /** The caller for logs: account, and device or token id; never the token. */
    public static String describe(Identity caller) {
        if (caller == null) {
            return "anonymous";
        }
        return caller.user() + (isDevice(caller) ? " (device " + caller.device() + ")" : " (" + caller.scope().id() + " token "
                + caller.tokenId() + ")");
    }
}
