package org.daig.broker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.daig.api.account.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;

/**
 * Moquette's authorizator: asks {@link BrokerAcl} on behalf of the identity the client
 * authenticated as. Moquette checks every publish and every subscription (not each delivery), so
 * a subscription filter is allowed only when everything it can match is readable.
 */
final class TopicPolicy implements IAuthorizatorPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(TopicPolicy.class);

    /** Keeps the log readable under a flood: the first refusal per client and topic is a WARN, repeats are DEBUG. */
    private static final int MAX_REMEMBERED = 10_000;

    private final Function<String, Identity> identities;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    TopicPolicy(Function<String, Identity> identities) {
        this.identities = identities;
    }

    @Override
    public boolean canWrite(Topic topic, String user, String client) {
        boolean allowed = BrokerAcl.mayWrite(identity(user, client), topic.toString());
        if (!allowed) {
            refused("a publish", client, topic);
        }
        return allowed;
    }

    @Override
    public boolean canRead(Topic topic, String user, String client) {
        boolean allowed = BrokerAcl.mayRead(identity(user, client), topic.toString());
        if (!allowed) {
            refused("a subscription", client, topic);
        }
        return allowed;
    }

    private void refused(String what, String client, Topic topic) {
        if (logged.size() > MAX_REMEMBERED) {
            logged.clear();
        }
        if (logged.add(what + " " + client + " " + topic)) {
            LOG.warn("Embedded MQTT broker refused {} by '{}' on {} (not allowed for this client; see docs/protocol.md, \"Broker ACL\")",
                    what, Printable.of(client), Printable.of(topic.toString()));
        } else {
            LOG.debug("Embedded MQTT broker refused {} by '{}' on {} again", what, Printable.of(client), Printable.of(topic.toString()));
        }
    }

    /** The identity behind a connection, if its user name is its client id (the authenticator made sure of that). */
    private Identity identity(String user, String client) {
        return user != null && user.equals(client) ? identities.apply(client) : null;
    }
}
