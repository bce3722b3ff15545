package org.daig.api.account;

import java.util.Locale;
import java.util.Optional;

/** What an account may do. One account may hold several roles. */
public enum Role {
    /** Submits projects and reads and controls only its own. */
    REQUESTOR,
    /** Owns devices (providers) that train tasks and earn credits. */
    VOLUNTEER,
    /** Sees every project, manages accounts and the grid. */
    ADMIN;

    /** The lower-case name used in files, HTTP and the CLI. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code id} (case-insensitive), if there is one. */
    public static Optional<Role> parse(String id) {
        for (Role role : values()) {
            if (role.id().equalsIgnoreCase(id == null ? "" : id.trim())) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
