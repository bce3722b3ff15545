package org.daig.broker;

import java.util.Arrays;

import org.daig.api.account.Identity;
import org.daig.api.account.Scope;

/**
 * What each client may publish and subscribe to on the embedded broker: the rule docs/protocol.md
 * ("Broker ACL") gives Mosquitto, as a pure function.
 *
 * <p>Topics are {@code <root>/<kind>/<id>/...} with a root of exactly two segments
 * ({@code daig/v1}, or a test's {@code daig-it-123-4/v1}); the root itself is not checked, so one
 * broker serves any number of grids (each with its own root) and a client may do on every root what
 * it may do on one. A device (a provider, user name = client id = its id) writes only
 * {@code <root>/providers/<its id>/#} and reads the coordinators' {@code presence}, {@code info},
 * {@code projects/+/progress} and {@code to/<its id>/#}. The coordinator's service identity reads
 * and writes everything. Anyone else gets nothing.
 */
final class BrokerAcl {

    /** Segments of the topic root: {@code name/vN}. */
    static final int ROOT_SEGMENTS = 2;

    static final String PROVIDERS = "providers";
    private static final String COORDINATORS = "coordinators";

    private BrokerAcl() {
    }

    /** Whether {@code who} may publish on {@code topic} (a topic name: no wildcards). */
    static boolean mayWrite(Identity who, String topic) {
        if (who == null || topic == null) {
            return false;
        }
        if (who.scope() == Scope.SERVICE) {
            return true;
        }
        String[] t = topic.split("/", -1);
        return who.scope() == Scope.DEVICE && who.device() != null && t.length > ROOT_SEGMENTS + 1 && literal(t)
                && t[ROOT_SEGMENTS].equals(PROVIDERS) && t[ROOT_SEGMENTS + 1].equals(who.device());
    }

    /** Whether {@code who} may subscribe to {@code filter}: every topic the filter can match must be readable. */
    static boolean mayRead(Identity who, String filter) {
        if (who == null || filter == null) {
            return false;
        }
        if (who.scope() == Scope.SERVICE) {
            return true;
        }
        if (who.scope() != Scope.DEVICE || who.device() == null) {
            return false;
        }
        String[] t = filter.split("/", -1);
        if (t.length < ROOT_SEGMENTS + 3 || !literal(Arrays.copyOf(t, ROOT_SEGMENTS)) || !t[ROOT_SEGMENTS].equals(COORDINATORS)
                || t[ROOT_SEGMENTS + 1].equals("#") || t[ROOT_SEGMENTS + 1].isEmpty()) {
            return false;
        }
        String[] rest = Arrays.copyOfRange(t, ROOT_SEGMENTS + 2, t.length);
        return switch (rest[0]) {
        case "presence", "info" -> rest.length == 1;
        case "projects" -> rest.length == 3 && !rest[1].equals("#") && !rest[1].isEmpty() && rest[2].equals("progress");
        case "to" -> rest.length >= 2 && rest[1].equals(who.device());
        default -> false;
        };
    }

    /** No wildcard and no empty segment. */
    private static boolean literal(String[] segments) {
        for (String s : segments) {
            if (s.isEmpty() || s.contains("+") || s.contains("#")) {
                return false;
            }
        }
        return true;
    }
}
