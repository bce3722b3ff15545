package org.daig.api.bus;

import java.util.regex.Pattern;

/**
 * The topic layout of the control plane (docs/protocol.md is the long form).
 *
 * <pre>
 * daig/v1/                                  topic root; the version changes only for breaking changes
 *   {role}s/{clientId}/presence             retained; online/offline, kept true by the bus and the last will
 *   providers/{providerId}/info             retained; the provider's name, version and machine summary
 *   coordinators/{coordinatorId}/info       retained; the coordinator's endpoints
 * </pre>
 *
 * Every client writes only below {@code {role}s/{clientId}/}, so a broker ACL such as Mosquitto's
 * {@code pattern write daig/v1/providers/%u/#} confines it to its own subtree.
 */
public final class Topics {

    /** The default topic root; the protocol version is part of it. */
    public static final String DEFAULT_ROOT = "daig/v1";

    public static final String COORDINATOR = "coordinator";
    public static final String PROVIDER = "provider";

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Topics() {
    }

    /** The subtree a client owns: {@code {role}s/{clientId}}. */
    public static String clientTree(String role, String clientId) {
        return requireSegment("role", role) + "s/" + requireSegment("client id", clientId);
    }

    public static String presence(String role, String clientId) {
        return clientTree(role, clientId) + "/presence";
    }

    /** Filter matching the presence of every client of a role. */
    public static String presenceOfAll(String role) {
        return requireSegment("role", role) + "s/+/presence";
    }

    public static String providerInfo(String providerId) {
        return clientTree(PROVIDER, providerId) + "/info";
    }

    public static final String ALL_PROVIDER_INFOS = PROVIDER + "s/+/info";

    public static String coordinatorInfo(String coordinatorId) {
        return clientTree(COORDINATOR, coordinatorId) + "/info";
    }

    public static final String ALL_COORDINATOR_INFOS = COORDINATOR + "s/+/info";

    /**
     * The segment of a relative topic at {@code index} (0-based), e.g. the client id of
     * {@code providers/p1/presence} is segment 1; {@code null} if the topic is shorter.
     */
    public static String segment(String topic, int index) {
        String[] parts = topic.split("/", -1);
        return index < parts.length ? parts[index] : null;
    }

    /** Whether {@code value} may be used as a role or client id in a topic. */
    public static boolean isValidSegment(String value) {
        return value != null && SEGMENT.matcher(value).matches();
    }

    private static String requireSegment(String what, String value) {
        if (!isValidSegment(value)) {
            throw new IllegalArgumentException("Invalid " + what + " '" + value
                    + "': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }

    /**
     * Whether an MQTT topic filter matches a topic (both relative or both absolute). {@code +}
     * matches one level, a trailing {@code #} matches the rest, including nothing.
     */
    public static boolean matches(String filter, String topic) {
        // level by level on the strings themselves: the coordinator matches every message it routes (no split, no garbage)
        int f = 0;
        int t = 0;
        boolean topicHasLevel = true;
        while (true) {
            int fEnd = levelEnd(filter, f);
            boolean lastFilterLevel = fEnd == filter.length();
            if (fEnd - f == 1 && filter.charAt(f) == '#') {
                return lastFilterLevel;
            }
            if (!topicHasLevel) {
                return false;
            }
            int tEnd = levelEnd(topic, t);
            boolean anyLevel = fEnd - f == 1 && filter.charAt(f) == '+';
            if (!anyLevel && (fEnd - f != tEnd - t || !filter.regionMatches(f, topic, t, fEnd - f))) {
                return false;
            }
            if (lastFilterLevel) {
                return tEnd == topic.length();
            }
            topicHasLevel = tEnd < topic.length();
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }

    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
