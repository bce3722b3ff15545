package org.daig.broker;

import java.util.function.Function;

import org.daig.api.account.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;

/**
 * Says so when a client registers a last will on a topic it may not write. Moquette 0.17 checks
 * publishes and subscriptions but publishes a will unchecked, and tells interceptors about a
 * connection only after it was accepted, so this cannot stop the will; the coordinator ignores an
 * offline presence that does not carry the connection time of the provider's live connection
 * (docs/security.md, "MQTT"), which such a will cannot know.
 */
final class WillGuard extends AbstractInterceptHandler {

    private static final Logger LOG = LoggerFactory.getLogger(WillGuard.class);

    private final Function<String, Identity> identities;

    WillGuard(Function<String, Identity> identities) {
        this.identities = identities;
    }

    @Override
    public String getID() {
        return "daig-will-guard";
    }

    /**
     * Connects only. Moquette 0.17 hands every interceptor of publishes a retained copy of each
     * payload; with retained QoS 1 messages that bookkeeping sometimes releases a buffer twice
     * (IllegalReferenceCountException), which stops the broker's session loop. This guard needs
     * none of it.
     */
    @Override
    public Class<?>[] getInterceptedMessageTypes() {
        return new Class<?>[] {InterceptConnectMessage.class};
    }

    @Override
    public void onConnect(InterceptConnectMessage msg) {
        if (msg.isWillFlag() && !BrokerAcl.mayWrite(identities.apply(msg.getClientID()), msg.getWillTopic())) {
            LOG.warn("Embedded MQTT broker: client '{}' registered a last will on {}, which it may not write; "
                    + "subscribers will ignore it", Printable.of(msg.getClientID()), Printable.of(msg.getWillTopic()));
        }
    }

    @Override
    public void onSessionLoopError(Throwable error) {
        LOG.debug("Embedded MQTT broker session loop error: {}", error.toString());
    }
}
