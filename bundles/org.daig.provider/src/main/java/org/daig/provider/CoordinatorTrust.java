package org.daig.provider;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which coordinator a provider takes tasks from: the configured one, or else the only one online
 * on the topic root, pinned for as long as the connection lasts so that another coordinator
 * appearing later (or a client posing as one where the broker has no ACL) cannot take its place.
 * With two online and none configured the provider takes no task: it cannot tell which is real.
 * Pure: the caller keeps the pin and the coordinators it has seen.
 */
public final class CoordinatorTrust {

    private CoordinatorTrust() {
    }

    /** What the provider knows of one coordinator: its presence and its announcement (null until seen). */
    public record Seen(String id, boolean online, String statusUrl) {
    }

    /**
     * The coordinator to work for ({@code id} and its announced {@code statusUrl}), or why there is
     * none ({@code refusal}).
     */
    public record Decision(String id, String statusUrl, String refusal) {

        static Decision trust(Seen coordinator) {
            return new Decision(coordinator.id(), coordinator.statusUrl(), null);
        }

        static Decision refuse(String why) {
            return new Decision(null, null, why);
        }

        public boolean trusted() {
            return refusal == null;
        }
    }

    /**
     * @param configured the configured coordinator id; empty: none
     * @param pinned     the coordinator trusted earlier on this connection, or null
     * @param seen       every coordinator seen on this connection
     */
    public static Decision decide(String configured, String pinned, Collection<Seen> seen) {
        String wanted = configured == null || configured.isBlank() ? pinned : configured.trim();
        List<Seen> online = seen.stream().filter(Seen::online).sorted((a, b) -> a.id().compareTo(b.id())).toList();
        if (wanted == null && online.size() > 1) {
            return Decision.refuse("coordinators " + String.join(" and ", online.stream().map(Seen::id).toList())
                    + " are both online on this topic root and none is configured: set coordinatorId in org.daig.provider "
                    + "to the one to work for");
        }
        if (wanted == null) {
            return online.isEmpty() ? Decision.refuse("no coordinator is online") : announced(online.get(0));
        }
        Optional<Seen> chosen = seen.stream().filter(c -> c.id().equals(wanted)).findFirst();
        if (chosen.isEmpty() || !chosen.get().online()) {
            String others = online.isEmpty() ? "" : " (" + String.join(", ", online.stream().map(Seen::id).toList())
                    + " is online, but this provider works for " + wanted
                    + (wanted.equals(pinned) ? " until it reconnects" : ", as configured") + ")";
            return Decision.refuse("coordinator " + wanted + " is not online" + others);
        }
        return announced(chosen.get());
    }

    private static Decision announced(Seen coordinator) {
        if (origin(coordinator.statusUrl()).isEmpty()) {
            return Decision.refuse("coordinator " + coordinator.id() + " has not announced a usable status URL yet");
        }
        return Decision.trust(coordinator);
    }

    /**
     * Whether a task's blob URL is on the trusted coordinator's HTTP side (same scheme, host and
     * port as its announced status URL): the provider downloads and parses what is there.
     */
    public static boolean blobsAtCoordinator(Decision trusted, String blobBaseUrl) {
        Optional<String> coordinator = origin(trusted.statusUrl());
        return coordinator.isPresent() && coordinator.equals(origin(blobBaseUrl));
    }

    /** {@code scheme://host:port} of an http(s) URL without user info; empty for anything else. */
    static Optional<String> origin(String url) {
        if (url == null) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
                return Optional.empty();
            }
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
