package org.daig.api.bus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A whiteboard service receiving messages from the bus.
 *
 * <p>Register it with the {@link #TOPICS} property (one or more MQTT topic filters relative to
 * the topic root, {@code +} and {@code #} allowed) and, optionally, {@link #BUS_ROLE} to receive
 * from buses of one role only. Handlers are called on the bus's dispatch thread, one message at a
 * time per bus: return quickly and hand long work to an executor.
 */
@ConsumerType
public interface MessageHandler {

    /** Service property: topic filters (String or String[]) relative to the topic root. */
    String TOPICS = "daig.bus.topics";

    /** Service property: receive only from a bus with this {@link MessageBus#ROLE}. */
    String BUS_ROLE = "daig.bus.handler.role";

    /**
     * Called for every message on a matching topic.
     *
     * @throws MalformedMessageException when the payload is not what the topic carries; the bus
     *         logs it with the topic and drops the message
     */
    void onMessage(IncomingMessage message) throws MalformedMessageException;
}
