package org.daig.api.bus;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One authenticated connection to the control plane.
 *
 * <p>Topics passed here are relative to the versioned topic root (see {@link Topics}); the bus
 * adds the root. Messages are objects that the bus encodes as JSON (records work). Delivery is
 * at-least-once (MQTT QoS 1), so every handler must tolerate duplicates.
 *
 * <p>Each bus instance has an identity: a role and a client id. The bus itself keeps the client's
 * presence topic ({@link Topics#presence(String, String)}) true: "online" once connected,
 * "offline" on a clean close and, through the broker's last will, when the process dies.
 */
@ProviderType
public interface MessageBus {

    /** Service property naming the role this bus connects as, e.g. {@code coordinator}. */
    String ROLE = "daig.bus.role";
    /** Service property holding the client id this bus connects as. */
    String CLIENT_ID = "daig.bus.client.id";

    /** The role this bus connects as ({@code coordinator}, {@code provider}, ...). */
    String role();

    /** The client id: unique among all clients of the broker, stable across restarts. */
    String clientId();

    /** Whether the connection to the broker is up right now. */
    boolean isConnected();

    /** The broker this bus connects to, for log and status lines (no credentials). */
    String brokerUrl();

    /**
     * Publishes a message at QoS 1. Returns without waiting for the broker; if the bus is not
     * connected the message is dropped and {@code false} is returned, because every DAIG message
     * is either retained state that is republished on reconnect or part of an exchange that is
     * retried.
     *
     * @param topic    topic relative to the topic root, without wildcards
     * @param message  the payload, encoded as JSON
     * @param retained whether the broker keeps it as the topic's current state
     * @return whether the message was handed to the connection
     */
    boolean publish(String topic, Object message, boolean retained);

    /** Clears a retained message (publishes an empty retained payload). */
    boolean clearRetained(String topic);
}
