package org.daig.coordinator.presence;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.daig.api.presence.Presence;

/**
 * Which connection of each client is the live one, by the connect time ({@code since}) its
 * presence carries: the bus's online message, its clean "shut down" and its last will all carry
 * the connect time of their connection. An offline message about another connection than the
 * live one is not believed: the late will of a connection the client already replaced, or a will
 * someone else registered on this client's topic (Moquette 0.17 publishes wills without checking
 * the ACL; docs/security.md, "MQTT").
 */
public final class LiveConnections {

    private final Map<String, Long> live = new ConcurrentHashMap<>();

    /** Whether {@code presence} speaks for {@code clientId}'s live connection; remembers it when it does. */
    public boolean believe(String clientId, Presence presence) {
        if (presence.online()) {
            live.put(clientId, presence.since());
            return true;
        }
        Long current = live.get(clientId);
        if (current != null && current != presence.since()) {
            return false;
        }
        live.remove(clientId);
        return true;
    }
}
