package org.daig.provider.enrol;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.daig.provider.ProviderConfig;
import org.daig.requestor.PrivateFiles;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrols this provider when it has no device token yet ({@code <daig.data.dir>/provider/device-token}),
 * with what {@code config/org.daig.provider.cfg} gives: {@code .enrolmentCode}, or {@code account}
 * with {@code passwordFile} (or $DAIG_PASSWORD). The device id is the provider's MQTT client id;
 * once the token file exists, the provider's connection uses it. An unreachable coordinator is
 * tried again with growing pauses; a refusal waits for a new configuration.
 */
@Component(service = Enrolment.class, configurationPid = ProviderConfig.PID)
public class EnrolmentService implements Enrolment {

    private static final Logger LOG = LoggerFactory.getLogger(EnrolmentService.class);
    private static final long FIRST_RETRY_MS = 5_000;
    private static final long LONGEST_RETRY_MS = 600_000;

    private final Object lock = new Object();
    private volatile ProviderConfig config;
    private volatile EnrolmentState state;
    private volatile MessageBus bus;
    private Path dataDir;
    private DeviceEnrolment enrolment;
    /** Guarded by lock. */
    private ScheduledExecutorService worker;
    /** Guarded by lock. */
    private ScheduledFuture<?> next;
    /** Guarded by lock. */
    private long retryMs = FIRST_RETRY_MS;
    private String lastLogged;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + MessageBus.ROLE + "=" + Topics.PROVIDER + ")")
    void bindBus(MessageBus messageBus) {
        this.bus = messageBus;
        attemptSoon(true);
    }

    void unbindBus(MessageBus messageBus) {
        if (this.bus == messageBus) {
            this.bus = null;
        }
    }

    @Activate
    void activate(BundleContext context, ProviderConfig configuration) {
        this.config = configuration;
        this.dataDir = Path.of(Optional.ofNullable(context.getProperty("daig.data.dir")).orElse("daig-data"));
        this.enrolment = new DeviceEnrolment(dataDir.resolve("provider"), System::currentTimeMillis);
        this.state = enrolment.current(configuration.coordinatorUrl(), EnrolmentState.HOW_TO_ENROL);
        synchronized (lock) {
            this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "daig-provider-enrolment");
                t.setDaemon(true);
                return t;
            });
        }
        attemptSoon(true);
    }

    @Modified
    void modified(ProviderConfig configuration) {
        this.config = configuration;
        attemptSoon(true); // a new code or account: try at once
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            worker.shutdownNow();
        }
    }

    @Override
    public EnrolmentState state() {
        EnrolmentState s = state;
        return s != null ? s : EnrolmentState.notEnrolled(null, EnrolmentState.HOW_TO_ENROL);
    }

    private void attemptSoon(boolean reset) {
        synchronized (lock) {
            if (worker == null || worker.isShutdown()) {
                return; // bound before activation: activate starts the first attempt
            }
            if (reset) {
                retryMs = FIRST_RETRY_MS;
            }
            if (next != null) {
                next.cancel(false);
            }
            next = worker.schedule(this::attempt, 0, TimeUnit.MILLISECONDS);
        }
    }

    private void attempt() {
        ProviderConfig c = config;
        EnrolmentState now = enrolment.current(c.coordinatorUrl(), EnrolmentState.HOW_TO_ENROL);
        if (now.enrolled()) {
            show(now, false);
            return;
        }
        MessageBus b = bus;
        if (b == null) {
            show(EnrolmentState.notEnrolled(c.coordinatorUrl(), "not enrolled yet: waiting for the provider's MQTT connection"
                    + " (config/org.daig.transport.mqtt-provider.cfg) to know this machine's client id"), false);
            return;
        }
        DeviceEnrolment.Attempt attempt;
        try {
            attempt = enrolment.enrol(new DeviceEnrolment.Means(URI.create(c.coordinatorUrl().trim()), c._enrolmentCode(), c.account(),
                    password(c)), b.clientId(), displayName(c));
        } catch (IllegalArgumentException e) {
            attempt = new DeviceEnrolment.Attempt(EnrolmentState.notEnrolled(c.coordinatorUrl(), "not enrolled: coordinatorUrl '"
                    + c.coordinatorUrl() + "' in config/org.daig.provider.cfg is not an address like http://host:7700"), false);
        } catch (IOException e) {
            attempt = new DeviceEnrolment.Attempt(EnrolmentState.notEnrolled(c.coordinatorUrl(), "not enrolled: passwordFile in"
                    + " config/org.daig.provider.cfg cannot be read (" + e.getMessage() + ")"), false);
        }
        show(attempt.state(), !attempt.retry());
        if (attempt.retry()) {
            synchronized (lock) {
                if (!worker.isShutdown()) {
                    next = worker.schedule(this::attempt, retryMs, TimeUnit.MILLISECONDS);
                    retryMs = Math.min(retryMs * 2, LONGEST_RETRY_MS);
                }
            }
        }
    }

    /**
     * Keeps the state and logs it once when it changes (messages carry no secrets, and are made
     * printable): a warning when the volunteer must act, else information (enrolled, waiting, retrying).
     */
    private void show(EnrolmentState s, boolean needsTheVolunteer) {
        state = s;
        if (!s.message().equals(lastLogged)) {
            lastLogged = s.message();
            if (needsTheVolunteer && !s.enrolled()) {
                LOG.warn("Provider {}", printable(s.message()));
            } else {
                LOG.info("Provider {}", printable(s.message()));
            }
        }
    }

    /** The account's password: the password file (relative to the data folder), else $DAIG_PASSWORD; null when neither. */
    private char[] password(ProviderConfig c) throws IOException {
        if (c.account().isBlank()) {
            return null;
        }
        if (!c.passwordFile().isBlank()) {
            return PrivateFiles.firstLine(dataDir.resolve(c.passwordFile().trim())).toCharArray();
        }
        String fromEnv = System.getenv("DAIG_PASSWORD");
        return fromEnv == null || fromEnv.isEmpty() ? null : fromEnv.toCharArray();
    }

    private static String displayName(ProviderConfig c) {
        if (!c.displayName().isBlank()) {
            return c.displayName().trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown host";
        }
    }

    /** Untrusted text (the coordinator's words) on one log line: control characters become '?', and it is cut at 300 characters. */
    static String printable(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), 300));
        for (int i = 0; i < text.length() && b.length() < 300; i++) {
            char ch = text.charAt(i);
            b.append(Character.isISOControl(ch) ? '?' : ch);
        }
        return b.toString();
    }
}
