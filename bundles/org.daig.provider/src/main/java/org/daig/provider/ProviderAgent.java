package org.daig.provider;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.daig.api.bus.BusListener;
import org.daig.api.bus.IncomingMessage;
import org.daig.api.bus.MalformedMessageException;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.MessageHandler;
import org.daig.api.bus.Topics;
import org.daig.api.machine.MachineInfo;
import org.daig.api.presence.CoordinatorInfo;
import org.daig.api.presence.Presence;
import org.daig.api.presence.ProviderAnnouncement;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's presence on the grid: announces the machine each time the bus connects (the
 * bus keeps the online/offline presence itself) and follows the coordinators it can see.
 */
@Component(service = { ProviderAgent.class, BusListener.class, MessageHandler.class },
        configurationPid = ProviderConfig.PID, property = {
        MessageHandler.TOPICS + "=" + Topics.ALL_COORDINATOR_INFOS,
        MessageHandler.TOPICS + "=" + "coordinators/+/presence",
        MessageHandler.BUS_ROLE + "=" + Topics.PROVIDER })
@Designate(ocd = ProviderConfig.class)
public class ProviderAgent implements BusListener, MessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderAgent.class);

    /** What the provider knows about one coordinator. */
    public record CoordinatorView(String id, boolean online, String statusUrl) {
    }

    @Reference
    private MachineInfo machineInfo;

    private final Map<String, CoordinatorView> coordinators = new ConcurrentHashMap<>();
    /** The buses this agent announced on, so it can withdraw the announcement when it stops. */
    private final Map<String, MessageBus> announcedOn = new ConcurrentHashMap<>();
    private volatile ProviderConfig config;
    /** The coordinator trusted on this connection when none is configured; forgotten when the connection ends. */
    private String pinned;
    private String version;

    @Activate
    void activate(BundleContext context, ProviderConfig config) {
        this.version = context.getBundle().getVersion().toString();
        this.config = config;
    }

    @Modified
    void modified(ProviderConfig config) {
        this.config = config;
        announcedOn.values().forEach(this::connected); // the display name may have changed
    }

    /**
     * Withdraws the announcement: the connection (and so the presence) may outlive this component,
     * e.g. while the provider bundle is being updated, and the coordinator must not count on a
     * provider that is not running.
     */
    @Deactivate
    void deactivate() {
        for (MessageBus bus : announcedOn.values()) {
            bus.clearRetained(Topics.providerInfo(bus.clientId()));
        }
        announcedOn.clear();
    }

    @Override
    public void connected(MessageBus bus) {
        ProviderAnnouncement announcement = new ProviderAnnouncement(bus.clientId(), displayName(), version,
                machineInfo.summary());
        bus.publish(Topics.providerInfo(bus.clientId()), announcement, true);
        announcedOn.put(bus.clientId(), bus);
        LOG.info("Provider {} announced itself on {}", bus.clientId(), bus.brokerUrl());
    }

    @Override
    public void disconnected(MessageBus bus, String reason) {
        if ("shut down".equals(reason)) {
            announcedOn.remove(bus.clientId());
        }
        coordinators.clear(); // what we knew is stale; retained messages refill it on reconnect
        synchronized (this) {
            pinned = null;
        }
    }

    @Override
    public void onMessage(IncomingMessage message) throws MalformedMessageException {
        String id = Topics.segment(message.topic(), 1);
        if (message.isEmpty()) {
            coordinators.remove(id);
            return;
        }
        if (message.topic().endsWith("/info")) {
            CoordinatorInfo info = message.decode(CoordinatorInfo.class);
            coordinators.merge(id, new CoordinatorView(id, false, info.statusUrl()),
                    (old, neu) -> new CoordinatorView(id, old.online(), neu.statusUrl()));
        } else {
            Presence presence = message.decode(Presence.class);
            CoordinatorView before = coordinators.get(id);
            coordinators.merge(id, new CoordinatorView(id, presence.online(), null),
                    (old, neu) -> new CoordinatorView(id, neu.online(), old.statusUrl()));
            if (before == null || before.online() != presence.online()) {
                LOG.info(presence.online() ? "Coordinator {} is online" : "Coordinator {} is offline", id);
            }
        }
    }

    /**
     * The coordinator this provider would work for now, if it trusts one (see {@link #trust()}).
     * Only looks: showing the status must not pin a coordinator before a task is asked for.
     */
    public synchronized Optional<CoordinatorView> coordinator() {
        CoordinatorTrust.Decision decision = decide(config.coordinatorId().trim());
        return decision.trusted() ? Optional.ofNullable(coordinators.get(decision.id())) : Optional.empty();
    }

    /**
     * The coordinator whose task answers count: the configured one, else the only one online,
     * pinned until the connection ends; or why there is none ({@link CoordinatorTrust}).
     */
    public synchronized CoordinatorTrust.Decision trust() {
        String configured = config.coordinatorId().trim();
        CoordinatorTrust.Decision decision = decide(configured);
        if (decision.trusted() && configured.isEmpty() && pinned == null) {
            pinned = decision.id();
            LOG.info("Provider works for coordinator {}, the only one online (until this connection ends; "
                    + "set coordinatorId in {} to choose one)", pinned, ProviderConfig.PID);
        }
        return decision;
    }

    private CoordinatorTrust.Decision decide(String configured) {
        return CoordinatorTrust.decide(configured, pinned, coordinators.values().stream()
                .map(c -> new CoordinatorTrust.Seen(c.id(), c.online(), c.statusUrl())).toList());
    }

    public String displayName() {
        String name = config.displayName().trim();
        if (!name.isEmpty()) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown host";
        }
    }

    public MachineInfo machineInfo() {
        return machineInfo;
    }
}
