package org.daig.coordinator.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.daig.api.bus.BusListener;
import org.daig.api.bus.IncomingMessage;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.MalformedMessageException;
import org.daig.api.bus.MessageHandler;
import org.daig.api.bus.Topics;
import org.daig.api.presence.Presence;
import org.daig.api.presence.ProviderAnnouncement;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every provider's presence and announcement on the bus, and watches for other
 * coordinators on the same topic root. Presence comes from retained messages kept true by each
 * client's bus and last will, so after a restart the list rebuilds itself from the broker.
 */
@Component(configurationPid = ProviderTrackerConfig.PID, property = {
        MessageHandler.TOPICS + "=" + "providers/+/presence",
        MessageHandler.TOPICS + "=" + Topics.ALL_PROVIDER_INFOS,
        MessageHandler.TOPICS + "=" + "coordinators/+/presence",
        MessageHandler.BUS_ROLE + "=" + Topics.COORDINATOR })
@Designate(ocd = ProviderTrackerConfig.class)
public class ProviderTracker implements MessageHandler, BusListener, ProviderDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderTracker.class);

    private static final long FORGET_SCAN_MILLIS = 60_000;
    private final Map<String, ProviderInfo> providers = new ConcurrentHashMap<>();
    private final Map<String, Presence> otherCoordinators = new ConcurrentHashMap<>();
    private final LiveConnections connections = new LiveConnections();
    private volatile Duration forgetAfter;
    private volatile long lastForget;

    @Activate
    @Modified
    void configure(ProviderTrackerConfig config) {
        forgetAfter = config.forgetOfflineAfterHours() <= 0 ? null : Duration.ofHours(config.forgetOfflineAfterHours());
    }

    @Override
    public void connected(MessageBus bus) {
        // retained presence messages bring the state back in
    }

    /** What was seen through a connection that is gone may be stale; it comes back on reconnect. */
    @Override
    public void disconnected(MessageBus bus, String reason) {
        otherCoordinators.clear();
    }

    @Override
    public void onMessage(IncomingMessage message) throws MalformedMessageException {
        String kind = Topics.segment(message.topic(), 0);
        String clientId = Topics.segment(message.topic(), 1);
        if (message.isEmpty()) {
            onCleared(kind, clientId, message.topic());
            return;
        }
        if ("coordinators".equals(kind)) {
            onCoordinatorPresence(message, clientId);
        } else if (message.topic().endsWith("/presence")) {
            onProviderPresence(message.decode(Presence.class), clientId);
        } else {
            onProviderAnnouncement(message.decode(ProviderAnnouncement.class), clientId);
        }
    }

    private void onProviderPresence(Presence presence, String topicId) throws MalformedMessageException {
        requireSameId(presence.clientId(), topicId);
        if (!connections.believe(topicId, presence)) {
            LOG.warn("Ignored an offline message for provider {} about a connection that is not its live one "
                    + "(a late last will, or one registered by another client)", topicId);
            return;
        }
        long now = System.currentTimeMillis();
        ProviderInfo before = providers.get(topicId);
        boolean changed = before == null || before.online() != presence.online();
        providers.merge(topicId,
                new ProviderInfo(topicId, null, presence.online(), presence.since(), now, null),
                (old, neu) -> new ProviderInfo(old.id(), old.name(), neu.online(), changed ? now : old.since(), now, old.machine()));
        if (changed) {
            if (presence.online()) {
                LOG.info("Provider {} is online", topicId);
            } else {
                LOG.info("Provider {} is offline ({})", topicId, presence.reason() == null ? "no reason given" : presence.reason());
            }
        }
        forgetLongOffline(now);
    }

    private void onProviderAnnouncement(ProviderAnnouncement announcement, String topicId) throws MalformedMessageException {
        requireSameId(announcement.id(), topicId);
        if (announcement.machine() == null) {
            throw new MalformedMessageException("announcement of provider " + topicId + " has no machine summary");
        }
        long now = System.currentTimeMillis();
        providers.merge(topicId, new ProviderInfo(topicId, announcement.name(), false, now, now, announcement.machine()),
                (old, neu) -> new ProviderInfo(old.id(), neu.name(), old.online(), old.since(), now, neu.machine()));
        LOG.info("Provider {} ({}) announced: {} cores, {} MiB RAM, {} GPU(s), {}", topicId, announcement.name(),
                announcement.machine().logicalCores(), announcement.machine().memoryBytes() >> 20,
                announcement.machine().gpus().size(), announcement.machine().os());
    }

    /** A provider withdrew its announcement: its service stopped though its connection may live on. */
    private void onCleared(String kind, String clientId, String topic) {
        if ("providers".equals(kind) && topic.endsWith("/info")) {
            ProviderInfo old = providers.computeIfPresent(clientId, (id, p) -> new ProviderInfo(id, p.name(), p.online(),
                    p.since(), System.currentTimeMillis(), null));
            if (old != null) {
                LOG.info("Provider {} withdrew its announcement (its provider service stopped)", clientId);
            }
        }
    }

    private void onCoordinatorPresence(IncomingMessage message, String topicId) throws MalformedMessageException {
        if (topicId.equals(message.bus().clientId())) {
            return; // ourselves
        }
        Presence presence = message.decode(Presence.class);
        requireSameId(presence.clientId(), topicId);
        if (presence.online()) {
            if (otherCoordinators.put(topicId, presence) == null) {
                LOG.error("Another coordinator, {}, is online on this topic root. Two coordinators would hand out the "
                        + "same work twice: stop one, or give each its own topicRoot in org.daig.transport.mqtt. "
                        + "This coordinator keeps running.", topicId);
            }
        } else if (otherCoordinators.remove(topicId) != null) {
            LOG.info("The other coordinator {} went offline", topicId);
        }
    }

    private static void requireSameId(String inMessage, String inTopic) throws MalformedMessageException {
        if (!inTopic.equals(inMessage)) {
            throw new MalformedMessageException("client id '" + inMessage + "' does not match the topic's '" + inTopic + "'");
        }
    }

    private void forgetLongOffline(long now) {
        Duration after = forgetAfter;
        // a scan of every provider, so not on each of the thousands of presence messages a big grid sends when it starts
        if (after != null && now - lastForget >= FORGET_SCAN_MILLIS) {
            lastForget = now;
            providers.values().removeIf(p -> !p.online() && now - p.since() > after.toMillis());
        }
    }

    @Override
    public boolean isOnline(String providerId) {
        ProviderInfo info = providers.get(providerId);
        return info != null && info.online();
    }

    @Override
    public List<ProviderInfo> providers() {
        List<ProviderInfo> list = new ArrayList<>(providers.values());
        list.sort(Comparator.comparing(ProviderInfo::online).reversed().thenComparing(ProviderInfo::id));
        return list;
    }

    @Override
    public List<String> otherCoordinators() {
        return otherCoordinators.keySet().stream().sorted().toList();
    }
}
