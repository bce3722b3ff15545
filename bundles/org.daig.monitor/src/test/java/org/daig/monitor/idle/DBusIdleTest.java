package org.daig.monitor.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.daig.monitor.idle.IdleServices.Manager;
import org.daig.monitor.idle.IdleServices.Mutter;
import org.daig.monitor.idle.IdleServices.Saver;
import org.daig.monitor.idle.IdleServices.Service;
import org.daig.monitor.idle.IdleServices.Session;
import org.daig.monitor.idle.IdleServices.WrongMutter;
import org.freedesktop.dbus.types.Variant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The Linux idle-time reader against real dbus-daemons: one standing in for the session bus, one
 * for the system bus, each with a configuration of its own; the desktop's services are exported
 * on them with dbus-java under their real names (see {@link IdleServices}).
 */
class DBusIdleTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final long TIMEOUT_MILLIS = 2_000; // generous: the build machine's cores are shared
    private static final long RETRY_MILLIS = 30_000;

    @TempDir
    Path dir;
    private TestBus sessionBus;
    private TestBus systemBus;
    /** The reader's monotonic clock: the test moves it past the retry delay. */
    private final AtomicLong monotonic = new AtomicLong(1_000_000);
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(LinuxUserIdle.class);

    @BeforeEach
    void startBuses() throws Exception {
        assumeTrue(Files.isExecutable(TestBus.DAEMON), "needs dbus-daemon (apt-get install dbus-daemon)");
        sessionBus = new TestBus(dir.resolve("session"), "session");
        systemBus = new TestBus(dir.resolve("system"), "system");
        log.start();
        logger.addAppender(log);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void stopBuses() throws Exception {
        logger.detachAppender(log);
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (sessionBus != null) {
            sessionBus.close();
        }
        if (systemBus != null) {
            systemBus.close();
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        open.add(closeable);
        return closeable;
    }

    private Map<String, String> waylandSession() {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_SESSION_TYPE", "wayland");
        env.put("WAYLAND_DISPLAY", "wayland-0");
        env.put("DBUS_SESSION_BUS_ADDRESS", sessionBus.address());
        env.put("DBUS_SYSTEM_BUS_ADDRESS", systemBus.address());
        env.put("XDG_SESSION_ID", "c2");
        return env;
    }

    private LinuxUserIdle reader(Map<String, String> env, long timeoutMillis) {
        return open(LinuxUserIdle.forEnvironment(env, Clock.fixed(NOW, ZoneOffset.UTC), monotonic::get, timeoutMillis, RETRY_MILLIS));
    }

    private LinuxUserIdle reader() {
        return reader(waylandSession(), TIMEOUT_MILLIS);
    }

    /** Microseconds since the epoch, {@code millisAgo} before the test's wall clock. */
    private static long since(long millisAgo) {
        return (NOW.toEpochMilli() - millisAgo) * 1000;
    }

    private List<String> logLines() {
        synchronized (log) { // the lock ListAppender adds under (AppenderBase.doAppend), not the list's
            return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private String lastLogLine() {
        List<String> lines = logLines();
        return lines.isEmpty() ? null : lines.get(lines.size() - 1);
    }

    @Test
    void gnomeAloneGivesMuttersIdleTime() throws Exception {
        Mutter mutter = new Mutter(12_345);
        open(Mutter.start(sessionBus.address(), mutter));
        LinuxUserIdle reader = reader();
        Notes notes = new Notes();
        assertEquals(12_345, reader.idleMillis(notes));
        assertEquals("", notes.toString());
        assertEquals(MutterIdle.NAME, reader.source());
        mutter.idleMillis = 3_000_000_000L; // beyond 32 bits: Mutter's reply is a uint64
        assertEquals(3_000_000_000L, reader.idleMillis(new Notes()));
        assertEquals(List.of("Idle time from: GNOME (Mutter IdleMonitor)"), logLines(), "said once, not per reading");
    }

    @Test
    void theScreenSaverAloneGivesItsIdleTimeAtEitherOfKdesPaths() throws Exception {
        try (Service freedesktop = Saver.start(sessionBus.address(), 61_000, "/org/freedesktop/ScreenSaver")) {
            LinuxUserIdle reader = reader();
            assertEquals(61_000, reader.idleMillis(new Notes()));
            assertEquals(ScreenSaverIdle.NAME, reader.source());
        }
        open(Saver.start(sessionBus.address(), 4_000, "/ScreenSaver"));
        LinuxUserIdle reader = reader();
        Notes notes = new Notes();
        assertEquals(4_000, reader.idleMillis(notes), "KDE's short path when the long one is not there: " + notes);
        assertEquals(ScreenSaverIdle.NAME, reader.source());
    }

    @Test
    void logindAloneGivesTheTimeSinceItsIdleSinceHint() throws Exception {
        Session session = new Session().idle(true, since(90_000));
        open(Manager.start(systemBus.address(), "c2", session));
        LinuxUserIdle reader = reader();
        assertEquals(90_000, reader.idleMillis(new Notes()), "now - IdleSinceHint");
        assertEquals(LogindIdle.NAME, reader.source());
        session.idle(false, since(5_000));
        assertEquals(0, reader.idleMillis(new Notes()), "not idle: 0, whatever IdleSinceHint says");

        Map<String, String> noSessionId = waylandSession();
        noSessionId.remove("XDG_SESSION_ID");
        session.idle(true, since(7_000));
        assertEquals(7_000, reader(noSessionId, TIMEOUT_MILLIS).idleMillis(new Notes()), "session/auto without XDG_SESSION_ID");
    }

    @Test
    void anUnknownSessionIdIsNamedInTheNote() throws Exception {
        open(Manager.start(systemBus.address(), "c9", new Session().idle(true, since(1_000))));
        Notes notes = new Notes();
        assertEquals(-1, reader().idleMillis(notes));
        String cause = Notes.find(notes.toString(), Notes.USER_IDLE);
        assertTrue(cause.contains("systemd-logind (IdleHint): GetSession failed: ") && cause.contains("No session 'c2' known"), cause);
    }

    @Test
    void theSourcesArePreferredInOrderAndOneThatLeavesHandsOverToTheNext() throws Exception {
        Mutter mutter = new Mutter(1_000);
        Service gnome = open(Mutter.start(sessionBus.address(), mutter));
        Service screenSaver = open(Saver.start(sessionBus.address(), 2_000, "/org/freedesktop/ScreenSaver"));
        Service logind = open(Manager.start(systemBus.address(), "c2", new Session().idle(true, since(3_000))));
        LinuxUserIdle reader = reader();
        assertEquals(1_000, reader.idleMillis(new Notes()));
        assertEquals(MutterIdle.NAME, reader.source());

        gnome.leave(); // gnome-shell ends mid-run
        assertEquals(2_000, reader.idleMillis(new Notes()));
        assertEquals(ScreenSaverIdle.NAME, reader.source());
        assertEquals("Idle time from: freedesktop ScreenSaver (GNOME (Mutter IdleMonitor): "
                + "org.gnome.Mutter.IdleMonitor is not on the session bus)", lastLogLine());

        screenSaver.leave();
        assertEquals(3_000, reader.idleMillis(new Notes()));
        assertEquals(LogindIdle.NAME, reader.source());
        assertEquals("Idle time from: systemd-logind (IdleHint) (freedesktop ScreenSaver: "
                + "org.freedesktop.ScreenSaver is not on the session bus)", lastLogLine());

        logind.leave();
        Notes notes = new Notes();
        assertEquals(-1, reader.idleMillis(notes));
        assertEquals("", reader.source());
        assertEquals("none of its sources answers (GNOME (Mutter IdleMonitor): org.gnome.Mutter.IdleMonitor is not on the session bus, "
                + "freedesktop ScreenSaver: org.freedesktop.ScreenSaver is not on the session bus, "
                + "systemd-logind (IdleHint): org.freedesktop.login1 is not on the system bus)", Notes.find(notes.toString(), Notes.USER_IDLE));
        assertTrue(lastLogLine().startsWith("User idle time unknown: systemd-logind (IdleHint): org.freedesktop.login1 is not on the system bus"),
                lastLogLine());
        int lines = logLines().size();
        reader.idleMillis(new Notes());
        assertEquals(lines, logLines().size(), "unknown is said once");

        open(Mutter.start(sessionBus.address(), mutter)); // gnome-shell is back
        assertEquals(-1, reader.idleMillis(new Notes()), "a source that failed is left alone for a while");
        monotonic.addAndGet(RETRY_MILLIS);
        assertEquals(1_000, reader.idleMillis(new Notes()));
        assertEquals(MutterIdle.NAME, reader.source());
        assertEquals("Idle time from: GNOME (Mutter IdleMonitor)", lastLogLine());
    }

    @Test
    void aReplyOfTheWrongTypeIsReportedInWordsAndTheNextSourceIsUsed() throws Exception {
        open(new Service(sessionBus.address(), MutterIdle.SERVICE, Map.of(MutterIdle.PATH, new WrongMutter())));
        Session session = new Session().idle(true, since(4_000));
        open(Manager.start(systemBus.address(), "c2", session));
        LinuxUserIdle reader = reader();
        assertEquals(4_000, reader.idleMillis(new Notes()));
        assertEquals(LogindIdle.NAME, reader.source());

        session.values.put("IdleHint", new Variant<>("yes"));
        Notes notes = new Notes();
        monotonic.addAndGet(RETRY_MILLIS);
        assertEquals(-1, reader.idleMillis(notes));
        String cause = Notes.find(notes.toString(), Notes.USER_IDLE);
        assertTrue(cause.contains("GNOME (Mutter IdleMonitor): GetIdletime replied with D-Bus type 's' where 't' was expected"), cause);
        assertTrue(cause.contains("systemd-logind (IdleHint): IdleHint has D-Bus type 's' where 'b' was expected"), cause);
        assertTrue(lastLogLine().startsWith("User idle time unknown: systemd-logind (IdleHint): IdleHint has D-Bus type 's'"), lastLogLine());
        synchronized (log) { // the lock ListAppender adds under (AppenderBase.doAppend), not the list's
            for (ILoggingEvent event : log.list) {
                assertNull(event.getThrowableProxy(), "no stack trace: " + event.getFormattedMessage());
            }
        }
    }

    @Test
    void aHungCompositorCostsOneTimeoutThenIsLeftAlone() throws Exception {
        Mutter mutter = new Mutter(1_000);
        mutter.hang = new CountDownLatch(1);
        open(Mutter.start(sessionBus.address(), mutter));
        open(() -> mutter.hang.countDown());
        open(Saver.start(sessionBus.address(), 2_000, "/org/freedesktop/ScreenSaver"));
        LinuxUserIdle reader = reader(waylandSession(), 300);
        long started = System.nanoTime();
        assertEquals(2_000, reader.idleMillis(new Notes()));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis < 5_000, "Mutter hangs for 30 s, the reading waited " + tookMillis + " ms");
        assertEquals(2_000, reader.idleMillis(new Notes()));
        assertEquals(1, mutter.calls.get(), "not asked again within the retry delay");
        assertEquals(ScreenSaverIdle.NAME, reader.source());
        assertTrue(logLines().contains("Idle time from: freedesktop ScreenSaver"), logLines().toString());
    }

    @Test
    void whenTheSessionBusGoesAwayLogindTakesOverAndANewBusIsUsedOnceItIsThere() throws Exception {
        open(Mutter.start(sessionBus.address(), new Mutter(1_000)));
        open(Manager.start(systemBus.address(), "c2", new Session().idle(true, since(3_000))));
        LinuxUserIdle reader = reader();
        assertEquals(1_000, reader.idleMillis(new Notes()));

        sessionBus.stop(); // the session ends under the provider
        assertEquals(3_000, reader.idleMillis(new Notes()));
        assertEquals(LogindIdle.NAME, reader.source());
        String line = lastLogLine();
        assertTrue(line.startsWith("Idle time from: systemd-logind (IdleHint) (GNOME (Mutter IdleMonitor): "), line);
        assertFalse(line.contains("Exception"), line);

        sessionBus = new TestBus(dir.resolve("session"), "session"); // a new session, at the same address
        open(Mutter.start(sessionBus.address(), new Mutter(5_000)));
        monotonic.addAndGet(RETRY_MILLIS);
        assertEquals(5_000, reader.idleMillis(new Notes()), "connected again");
        assertEquals(MutterIdle.NAME, reader.source());
    }

    @Test
    void x11IsAskedFirstInAnX11SessionAndNotAtAllUnderWayland() {
        Map<String, String> x11 = new HashMap<>(Map.of("DISPLAY", ":0", "XDG_SESSION_TYPE", "x11"));
        try (LinuxUserIdle reader = LinuxUserIdle.forEnvironment(x11)) {
            assertEquals(List.of(LinuxUserIdle.X11Source.NAME, MutterIdle.NAME, ScreenSaverIdle.NAME, LogindIdle.NAME), reader.sourceNames());
        }
        x11.put("WAYLAND_DISPLAY", "wayland-0"); // XWayland's DISPLAY in a Wayland session
        try (LinuxUserIdle reader = LinuxUserIdle.forEnvironment(x11)) {
            assertEquals(List.of(MutterIdle.NAME, ScreenSaverIdle.NAME, LogindIdle.NAME), reader.sourceNames());
        }
        try (LinuxUserIdle reader = LinuxUserIdle.forEnvironment(Map.of())) {
            assertEquals(List.of(MutterIdle.NAME, ScreenSaverIdle.NAME, LogindIdle.NAME), reader.sourceNames(), "headless");
        }
    }

    @Test
    void withoutASessionBusTheNoteSaysSo() throws Exception {
        Map<String, String> env = waylandSession();
        env.remove("DBUS_SESSION_BUS_ADDRESS");
        env.put("XDG_RUNTIME_DIR", dir.resolve("no-runtime-dir").toString());
        Notes notes = new Notes();
        assertEquals(-1, reader(env, TIMEOUT_MILLIS).idleMillis(notes));
        String cause = Notes.find(notes.toString(), Notes.USER_IDLE);
        assertTrue(cause.contains("GNOME (Mutter IdleMonitor): no session bus (DBUS_SESSION_BUS_ADDRESS is not set"), cause);
        assertTrue(cause.contains("systemd-logind (IdleHint): org.freedesktop.login1 is not on the system bus"), cause);
    }
}
