package org.daig.monitor.idle;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.daig.api.machine.IdleDecision;
import org.daig.api.machine.IdleListener;
import org.daig.api.machine.IdleMonitor;
import org.daig.api.machine.MachineState;
import org.daig.monitor.idle.IdleSettings.Mode;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the machine once a second on its own daemon thread and applies the volunteer's
 * {@link IdlePolicy}. Listeners hear only when the decision flips between may-run and may-not-run;
 * they are called on the thread that decided (the sampler, or the one that changed the policy),
 * under the monitor's lock, so they see flips in order and must return quickly.
 *
 * <p>A policy change is applied to the latest sample at once, without waiting for the next one:
 * "never" must stop training within a second. Until the first sample (one second after
 * activation, so the foreign CPU load has an interval to be measured over) the "idle" mode says
 * no; "always" and "never" need no sample.
 */
@Component(service = IdleMonitor.class, configurationPid = IdlePolicyConfig.PID)
@Designate(ocd = IdlePolicyConfig.class)
public class OshiIdleMonitor implements IdleMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(OshiIdleMonitor.class);
    /** Twice a second: a user coming back is seen within half a second, and the worker stopped a few ms later. */
    static final long SAMPLE_PERIOD_MILLIS = 500;

    private final Clock clock;
    private final Supplier<MachineReadings> readingsFactory;
    private final IdlePolicy policy;
    private final List<IdleListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    private volatile IdleSettings settings = IdleSettings.DEFAULTS;
    private volatile IdleDecision current;
    private MachineState lastState; // guarded by lock; null until the first sample
    private String lastNotes = "";  // guarded by lock
    private volatile MachineReadings readings;
    private ScheduledExecutorService sampler;

    public OshiIdleMonitor() {
        this(Clock.systemDefaultZone(), null);
    }

    /** @param readingsFactory the readings to sample; null: the real ones, made on activation */
    OshiIdleMonitor(Clock clock, Supplier<MachineReadings> readingsFactory) {
        this.clock = clock;
        this.readingsFactory = readingsFactory != null ? readingsFactory : () -> new OshiMachineReadings(clock);
        this.policy = new IdlePolicy(clock);
        this.current = waiting();
    }

    @Activate
    void activate(IdlePolicyConfig config) {
        apply(IdleSettings.from(config, LOG::warn));
        start();
        LOG.info("Idle monitor started: {}", describe(settings));
    }

    @Modified
    void modified(IdlePolicyConfig config) {
        IdleSettings changed = IdleSettings.from(config, LOG::warn);
        LOG.info("Idle policy changed: {}", describe(changed));
        apply(changed);
    }

    @Deactivate
    void deactivate() {
        ScheduledExecutorService running = sampler;
        sampler = null;
        if (running != null) {
            running.shutdownNow();
            try {
                running.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        MachineReadings toClose = readings;
        readings = null;
        if (toClose != null) {
            toClose.close();
        }
        listeners.clear();
    }

    /** Makes the readings and starts sampling once a second. */
    void start() {
        open();
        sampler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "daig-idle-monitor");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleWithFixedDelay(this::sampleQuietly, SAMPLE_PERIOD_MILLIS, SAMPLE_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Makes the readings (tests then call {@link #sample()} themselves). */
    void open() {
        readings = createReadings();
    }

    /** Applies new settings and re-decides on the latest sample at once. */
    void apply(IdleSettings newSettings) {
        synchronized (lock) {
            settings = newSettings;
            decideAndNotify();
        }
    }

    /** Takes one sample and decides on it; the sampler thread calls it every second, tests call it directly. */
    void sample() {
        MachineReadings source = readings;
        if (source == null) {
            return; // not opened, or deactivated
        }
        MachineState state;
        try {
            state = source.read();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Reading the machine failed: {}", e.toString());
            state = unknown("readings failed (" + e + ")");
        }
        synchronized (lock) {
            lastState = state;
            if (!state.notes().equals(lastNotes)) {
                lastNotes = state.notes();
                if (!lastNotes.isEmpty()) {
                    LOG.info("Idle monitor cannot read everything: {}", lastNotes);
                }
            }
            decideAndNotify();
        }
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException | LinkageError e) {
            // An exception would cancel the schedule, and with it every later decision.
            LOG.warn("Idle monitor sample failed", e);
        }
    }

    private void decideAndNotify() {
        IdleSettings now = settings;
        IdleDecision decision;
        if (lastState == null && now.mode() == Mode.IDLE) {
            decision = waiting();
        } else {
            decision = policy.decide(now, lastState != null ? lastState : unknown("no sample yet"));
        }
        IdleDecision before = current;
        current = decision;
        if (before.mayRun() == decision.mayRun()) {
            if (before.state().sampledAt() < 0 && decision.state().sampledAt() >= 0) {
                LOG.info("Training {}: {}", decision.mayRun() ? "may run" : "paused", decision.reason()); // the first real decision
            }
            return;
        }
        LOG.info("Training {}: {}", decision.mayRun() ? "may run" : "paused", decision.reason());
        for (IdleListener listener : listeners) {
            tell(listener, decision);
        }
    }

    @Override
    public IdleDecision current() {
        return current;
    }

    @Override
    public void addListener(IdleListener listener) {
        synchronized (lock) {
            listeners.add(listener);
            tell(listener, current);
        }
    }

    @Override
    public void removeListener(IdleListener listener) {
        listeners.remove(listener);
    }

    @Override
    public int maxWorkerThreads() {
        return settings.workerThreads(Runtime.getRuntime().availableProcessors());
    }

    @Override
    public String maxWorkerHeap() {
        return settings.maxWorkerHeap();
    }

    private MachineReadings createReadings() {
        try {
            return readingsFactory.get();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("The machine cannot be read: {}", e.toString());
            return () -> unknown("readings unavailable (" + e + ")");
        }
    }

    private static void tell(IdleListener listener, IdleDecision decision) {
        try {
            listener.decisionChanged(decision);
        } catch (RuntimeException e) {
            LOG.warn("Idle listener {} failed", listener, e);
        }
    }

    /** Before the first sample; sampledAt -1 marks it. */
    private static IdleDecision waiting() {
        return new IdleDecision(false, "waiting for the first sample", new MachineState(-1, -1, false, "", false, -1,
                Double.NaN, "no sample yet", -1));
    }

    private MachineState unknown(String note) {
        return new MachineState(-1, -1, false, "", false, -1, Double.NaN, note, clock.millis());
    }

    private static String describe(IdleSettings s) {
        return "mode " + lower(s.mode()) + ", user idle " + s.idleMinutes() + " min (when unknown: " + lower(s.whenIdleUnknown())
                + "), foreign CPU up to " + s.maxForeignCpuPercent() + "%, GPU in use " + (s.allowWhileGpuInUse() ? "allowed" : "not allowed")
                + ", battery " + (s.runOnBattery() ? "from " + s.minBatteryPercent() + "%" : "not allowed")
                + ", hours " + (s.allowedHours().isEmpty() ? "any" : s.allowedHours())
                + ", CPU temperature " + (s.maxCpuTemperature() > 0 ? "up to " + s.maxCpuTemperature() + " °C" : "any")
                + ", worker threads " + (s.maxWorkerThreads() > 0 ? String.valueOf(s.maxWorkerThreads()) : "half the cores")
                + ", worker heap " + s.maxWorkerHeap();
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
