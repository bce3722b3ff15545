package org.daig.api.bus;

import org.osgi.annotation.versioning.ProviderType;

/** A message as it arrived from the broker. */
@ProviderType
public interface IncomingMessage {

    /** The topic relative to the topic root. */
    String topic();

    /** Whether the broker delivered it as the retained state of the topic. */
    boolean retained();

    /** The raw payload; empty for a cleared retained message. */
    byte[] payload();

    /** Whether the payload is empty (a retained message being cleared). */
    default boolean isEmpty() {
        return payload().length == 0;
    }

    /** The bus it arrived on (lets a handler answer on the same connection). */
    MessageBus bus();

    /**
     * Decodes the JSON payload into {@code type}.
     *
     * @throws MalformedMessageException if the payload is not valid JSON for that type, or if
     *         a record component without a default is missing
     */
    <T> T decode(Class<T> type) throws MalformedMessageException;
}
