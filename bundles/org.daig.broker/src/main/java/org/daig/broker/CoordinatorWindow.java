package org.daig.broker;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import org.daig.api.account.Identity;
import org.daig.api.account.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.moquette.broker.Server;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;

/**
 * Widens the coordinator's QoS 1 window on the embedded broker. Every provider's requests and
 * results reach the coordinator through its one subscription, and Moquette 0.17 sends a session
 * at most 10 QoS 1 messages before it waits for their acknowledgements (a constant, not a
 * setting): on a busy machine each acknowledgement takes milliseconds to come back, which capped
 * the whole grid at a thousand or two messages a second however fast the coordinator decided them.
 * Providers' own sessions keep the window of 10 (they get one answer at a time).
 *
 * <p>The window is {@link #SLOTS} messages: a few hundred bytes each, they fit in the loopback
 * socket's buffers, so Moquette never finds the connection unwritable and drops one (it drops
 * rather than queues then, and resends a dropped QoS 1 message only seconds later). Moquette has no
 * API for this, so the slots are added through its session's field; if a Moquette update renames
 * it, the broker says so once and keeps working with its own window.
 */
final class CoordinatorWindow extends AbstractInterceptHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorWindow.class);
    /** QoS 1 messages the coordinator's session may have unacknowledged (Moquette's own: 10). */
    static final int SLOTS = 256;
    private static final int MOQUETTE_SLOTS = 10;

    private final Function<String, Identity> identities;
    private final Supplier<Server> server;
    /** Sessions already widened: a session kept across reconnects (no clean session) must not gain slots on each connect. */
    private final Set<Object> widened = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile boolean broken;

    CoordinatorWindow(Function<String, Identity> identities, Supplier<Server> server) {
        this.identities = identities;
        this.server = server;
    }

    @Override
    public String getID() {
        return "daig-coordinator-window";
    }

    @Override
    public Class<?>[] getInterceptedMessageTypes() {
        return new Class<?>[] {InterceptConnectMessage.class};
    }

    @Override
    public void onConnect(InterceptConnectMessage msg) {
        Identity who = identities.apply(msg.getClientID());
        Server broker = server.get();
        if (who == null || who.scope() != Scope.SERVICE || broker == null || broken) {
            return;
        }
        try {
            Object session = session(broker, msg.getClientID());
            if (session != null && widened.add(session)) {
                slots(session).addAndGet(SLOTS - MOQUETTE_SLOTS);
                LOG.debug("Embedded MQTT broker: coordinator session {} may have {} messages in flight", Printable.of(msg.getClientID()), SLOTS);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            broken = true;
            LOG.warn("Embedded MQTT broker: cannot widen the coordinator's window in this Moquette version ({}); it stays at {} "
                    + "messages in flight, which limits how many providers' messages reach the coordinator each second", e, MOQUETTE_SLOTS);
        }
    }

    @Override
    public void onSessionLoopError(Throwable error) {
        // WillGuard logs these
    }

    /** The session Moquette keeps for a client id (null if it is gone again). */
    private static Object session(Server broker, String clientId) throws ReflectiveOperationException {
        Object registry = field(Server.class, "sessions").get(broker);
        Method retrieve = registry.getClass().getDeclaredMethod("retrieve", String.class);
        retrieve.setAccessible(true);
        return retrieve.invoke(registry, clientId);
    }

    /** How many more QoS 1 messages the session may send before an acknowledgement. */
    private static AtomicInteger slots(Object session) throws ReflectiveOperationException {
        return (AtomicInteger) field(session.getClass(), "inflightSlots").get(session);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
