package org.daig.broker;

import java.util.Set;

/**
 * Which retained messages the embedded broker keeps. A provider may write anywhere in its own
 * subtree ({@link BrokerAcl}), but the protocol retains only two of its topics: {@code presence}
 * and {@code info} (docs/protocol.md). A retained message on any other topic of a provider's
 * subtree still reaches its subscribers, live, but is not kept. The broker takes any topic root,
 * so {@link RetainedIndex} also caps how many topics one provider has kept across roots. The
 * coordinators' subtrees, which only the service identity may write, are kept whole.
 */
final class RetainRule {

    /** The topics of a provider's subtree that the protocol retains. */
    static final Set<String> PROVIDER_RETAINED = Set.of("presence", "info");

    private RetainRule() {
    }

    /** The provider whose subtree {@code topic} is in (absolute, {@code <root>/providers/<id>/...}); null if none. */
    static String provider(String topic) {
        String[] t = topic.split("/", BrokerAcl.ROOT_SEGMENTS + 3);
        return t.length > BrokerAcl.ROOT_SEGMENTS + 1 && t[BrokerAcl.ROOT_SEGMENTS].equals(BrokerAcl.PROVIDERS)
                ? t[BrokerAcl.ROOT_SEGMENTS + 1] : null;
    }

    /** Whether a retained message on {@code topic} (absolute, {@code <root>/<kind>/<id>/...}) may be kept. */
    static boolean keeps(String topic) {
        // at most root, kind, id and the rest: a topic thousands of levels deep is not split up
        String[] t = topic.split("/", BrokerAcl.ROOT_SEGMENTS + 3);
        if (t.length <= BrokerAcl.ROOT_SEGMENTS || !t[BrokerAcl.ROOT_SEGMENTS].equals(BrokerAcl.PROVIDERS)) {
            return true;
        }
        return t.length == BrokerAcl.ROOT_SEGMENTS + 3 && PROVIDER_RETAINED.contains(t[BrokerAcl.ROOT_SEGMENTS + 2]);
    }
}
