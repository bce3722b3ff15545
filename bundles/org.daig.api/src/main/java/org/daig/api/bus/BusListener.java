package org.daig.api.bus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A whiteboard service told when a bus connects or loses its connection. {@link #connected} is
 * where retained state (e.g. a provider's machine summary) is (re)published: it is also called
 * for a bus that is already connected when the listener appears.
 *
 * <p>Register it with {@link MessageHandler#BUS_ROLE} to hear about buses of one role only.
 */
@ConsumerType
public interface BusListener {

    /** The bus is connected and its subscriptions are in place. */
    void connected(MessageBus bus);

    /** The bus lost its connection or is closing; {@code reason} is readable by a person. */
    default void disconnected(MessageBus bus, String reason) {
    }
}
