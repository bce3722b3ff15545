package org.daig.monitor.idle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input idle time on Linux (and the BSDs) from the first source that answers, in this order:
 * <ol>
 * <li>X11's MIT-SCREEN-SAVER extension, in an X11 session only (a DISPLAY and no Wayland): exact,
 * local, no daemon in between. In a Wayland session XWayland sees only the input to X11 windows,
 * so X11 is not asked there at all.</li>
 * <li>GNOME's Mutter on the session bus: the compositor sees all input.</li>
 * <li>org.freedesktop.ScreenSaver on the session bus (KDE's screen locker, and others).</li>
 * <li>systemd-logind's IdleHint on the system bus: every desktop that reports idleness to
 * logind, coarse (it flips only after the desktop's own idle delay).</li>
 * </ol>
 * Exact sources first, coarse last. A source that fails is skipped for {@code retryMillis} and
 * then asked again, so a compositor that restarts is used again within that time. The log says
 * which source reads the idle time once, and again whenever it changes, naming why the previous
 * one stopped; {@link #source()} names it for the monitor's readings.
 */
final class LinuxUserIdle implements UserIdleReader {

    private static final Logger LOG = LoggerFactory.getLogger(LinuxUserIdle.class);
    /**
     * A D-Bus round trip on one machine takes well under a millisecond; a reply later than the
     * monitor's sample period is no use, and the compositor is stuck.
     */
    static final long CALL_TIMEOUT_MILLIS = OshiIdleMonitor.SAMPLE_PERIOD_MILLIS;
    /** How long a failed source is left alone before it is asked again. */
    static final long RETRY_MILLIS = 30_000;
    static final String SYSTEM_BUS_SOCKET = "/run/dbus/system_bus_socket";

    private final List<IdleSource> sources;
    private final List<AutoCloseable> links;
    private final LongSupplier monotonicMillis;
    private final long retryMillis;
    private final long[] failedAt;
    private final String[] causes;
    private String current = "";
    private String lastUnknown;

    LinuxUserIdle(List<IdleSource> sources, List<AutoCloseable> links, LongSupplier monotonicMillis, long retryMillis) {
        this.sources = List.copyOf(sources);
        this.links = List.copyOf(links);
        this.monotonicMillis = monotonicMillis;
        this.retryMillis = retryMillis;
        this.failedAt = new long[sources.size()];
        this.causes = new String[sources.size()];
    }

    /** The sources for this environment, in the order above. */
    static LinuxUserIdle forEnvironment(Map<String, String> env, Clock wallClock, LongSupplier monotonicMillis, long timeoutMillis,
            long retryMillis) {
        List<IdleSource> sources = new ArrayList<>();
        List<AutoCloseable> links = new ArrayList<>();
        if (isX11Session(env)) {
            X11UserIdle x11 = new X11UserIdle(env);
            sources.add(new X11Source(x11));
            links.add(x11);
        }
        String sessionAddress = sessionBusAddress(env);
        DBusLink session = new DBusLink("session bus", sessionAddress,
                "no session bus (DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus is not there)",
                timeoutMillis, retryMillis, monotonicMillis);
        sources.add(new MutterIdle(session));
        sources.add(new ScreenSaverIdle(session));
        links.add(session);
        String systemAddress = nonBlank(env.get("DBUS_SYSTEM_BUS_ADDRESS"));
        DBusLink system = new DBusLink("system bus", systemAddress != null ? systemAddress : "unix:path=" + SYSTEM_BUS_SOCKET, null,
                timeoutMillis, retryMillis, monotonicMillis);
        sources.add(new LogindIdle(system, env.get("XDG_SESSION_ID"), wallClock));
        links.add(system);
        return new LinuxUserIdle(sources, links, monotonicMillis, retryMillis);
    }

    static LinuxUserIdle forEnvironment(Map<String, String> env) {
        return forEnvironment(env, Clock.systemUTC(), () -> System.nanoTime() / 1_000_000, CALL_TIMEOUT_MILLIS, RETRY_MILLIS);
    }

    static boolean isWaylandSession(Map<String, String> env) {
        return "wayland".equalsIgnoreCase(env.get("XDG_SESSION_TYPE")) || nonBlank(env.get("WAYLAND_DISPLAY")) != null;
    }

    static boolean isX11Session(Map<String, String> env) {
        return !isWaylandSession(env) && nonBlank(env.get("DISPLAY")) != null;
    }

    /** $DBUS_SESSION_BUS_ADDRESS, else systemd's per-user bus at $XDG_RUNTIME_DIR/bus, else null. */
    static String sessionBusAddress(Map<String, String> env) {
        String address = nonBlank(env.get("DBUS_SESSION_BUS_ADDRESS"));
        if (address != null) {
            return address;
        }
        String runtime = nonBlank(env.get("XDG_RUNTIME_DIR"));
        if (runtime != null && Files.exists(Path.of(runtime, "bus"))) {
            return "unix:path=" + Path.of(runtime, "bus");
        }
        return null;
    }

    List<String> sourceNames() {
        return sources.stream().map(IdleSource::name).toList();
    }

    @Override
    public long idleMillis(Notes notes) {
        long now = monotonicMillis.getAsLong();
        String failedCurrent = null;
        for (int i = 0; i < sources.size(); i++) {
            IdleSource source = sources.get(i);
            if (causes[i] != null && now - failedAt[i] < retryMillis) {
                continue;
            }
            try {
                long millis = source.idleMillis();
                causes[i] = null;
                use(source.name(), failedCurrent);
                return millis;
            } catch (SourceFailure e) {
                failed(i, now, e.getMessage());
                if (source.name().equals(current)) {
                    failedCurrent = source.name() + ": " + e.getMessage();
                }
            } catch (RuntimeException | LinkageError e) {
                // a bug or a missing library, never a reason to stop the monitor
                failed(i, now, e.toString());
                if (source.name().equals(current)) {
                    failedCurrent = source.name() + ": " + e;
                }
            }
        }
        String cause = "none of its sources answers (" + String.join(", ", allCauses()) + ")";
        if (!cause.equals(lastUnknown)) {
            LOG.info("User idle time unknown: {}", failedCurrent != null ? failedCurrent + "; " + cause : cause);
            lastUnknown = cause;
        }
        current = "";
        notes.add(Notes.USER_IDLE, cause);
        return -1;
    }

    private void failed(int index, long now, String message) {
        if (!message.equals(causes[index])) {
            LOG.debug("Idle time from {} failed: {}", sources.get(index).name(), message);
        }
        causes[index] = message;
        failedAt[index] = now;
    }

    private void use(String name, String failedCurrent) {
        if (name.equals(current)) {
            return;
        }
        if (failedCurrent != null) {
            LOG.info("Idle time from: {} ({})", name, failedCurrent);
        } else if (!current.isEmpty()) {
            LOG.info("Idle time from: {} (answers again; preferred to {})", name, current);
        } else {
            LOG.info("Idle time from: {}", name);
        }
        current = name;
        lastUnknown = null;
    }

    private List<String> allCauses() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            all.add(sources.get(i).name() + ": " + (causes[i] != null ? causes[i] : "not asked"));
        }
        return all;
    }

    @Override
    public String source() {
        return current;
    }

    @Override
    public void close() {
        for (AutoCloseable link : links) {
            try {
                link.close();
            } catch (Exception e) {
                LOG.debug("Closing {} failed: {}", link, e.toString());
            }
        }
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** X11's reader as a source: its note becomes the failure. */
    static final class X11Source implements IdleSource {
        static final String NAME = "X11 (MIT-SCREEN-SAVER)";
        private final X11UserIdle x11;

        X11Source(X11UserIdle x11) {
            this.x11 = x11;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public long idleMillis() throws SourceFailure {
            Notes notes = new Notes();
            long millis = x11.idleMillis(notes);
            if (millis < 0) {
                String cause = Notes.find(notes.toString(), Notes.USER_IDLE);
                throw new SourceFailure(cause != null ? cause : "no reading", false);
            }
            return millis;
        }
    }
}
