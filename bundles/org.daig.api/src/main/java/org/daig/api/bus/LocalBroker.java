package org.daig.api.bus;

import java.util.Collection;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A broker running inside this process, offered as a service while it runs, so that a bus of the
 * same process exchanges its messages with it directly: no client library, no socket, no second
 * session per message. At ten thousand providers the coordinator's own connection to its embedded
 * broker carried every request, result and answer twice more (docs/operations.md, "Throughput").
 *
 * <p>Only code in this process can reach it, and it publishes as the broker itself, without the
 * broker's ACL: it is for the coordinator's own bus. Clients' messages reach a receiver only after
 * the broker accepted them (authenticated client, ACL), as they would reach a subscriber.
 *
 * <p>Clients' last wills are not delivered here (the broker sends them to its network subscribers
 * only): a bus keeps filters that may match a presence topic on its network connection.
 */
@ProviderType
public interface LocalBroker {

    /** Whether a bus configured with this broker URL connects to this broker. */
    boolean serves(String brokerUrl);

    /**
     * Publishes at QoS 1 to the broker's subscribers, as the broker itself. An empty retained
     * payload clears the topic's retained message. Moquette 0.17 routes a message before it keeps
     * it as retained, so a network subscription made at that very moment gets neither: a bus sends
     * its retained state over its connection instead.
     *
     * @param topic absolute topic (with the topic root), without wildcards
     * @return false when the broker has stopped
     */
    boolean publish(String topic, byte[] payload, boolean retained);

    /** Starts delivering to {@code receiver} the clients' messages on topics it subscribes to; nothing until it does. */
    Subscriber attach(Receiver receiver);

    /** Takes the messages of an attached bus; called on a broker thread, one message at a time, in the order the broker accepted them. */
    @FunctionalInterface
    interface Receiver {
        void received(String topic, byte[] payload, boolean retained);
    }

    /** A receiver's subscriptions; closing it ends the deliveries. */
    interface Subscriber extends AutoCloseable {

        /** Adds absolute topic filters; the retained messages on matching topics are delivered at once, as a broker does. */
        void subscribe(Collection<String> filters);

        void unsubscribe(Collection<String> filters);

        @Override
        void close();
    }
}
