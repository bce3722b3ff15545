package org.daig.monitor.idle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.daig.monitor.idle.IdleServices.MutterRemoteDesktop;
import org.daig.monitor.idle.IdleServices.MutterRemoteDesktopSession;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader against the real GNOME compositor: Debian's Mutter, headless (no GPU, no screen,
 * a virtual monitor), on a private session bus. Its idle time grows while nothing happens and
 * drops when the test moves the pointer through Mutter's own remote-desktop API.
 */
class MutterHeadlessTest {

    static final Path MUTTER = Path.of("/usr/bin/mutter");

    @TempDir
    Path dir;

    @Test
    void realMuttersIdleTimeGrowsAndInputResetsIt() throws Exception {
        assumeTrue(Files.isExecutable(MUTTER) && Files.isExecutable(TestBus.DAEMON),
                "needs mutter and dbus-daemon (apt-get install --no-install-recommends mutter dbus-daemon)");
        Path runtime = Files.createDirectory(dir.resolve("runtime"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (TestBus session = new TestBus(dir.resolve("session"), "session");
             TestBus system = new TestBus(dir.resolve("system"), "system")) {
            ProcessBuilder builder = new ProcessBuilder(MUTTER.toString(), "--headless", "--virtual-monitor", "1280x720", "--wayland", "--no-x11")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("mutter.log").toFile());
            Map<String, String> mutterEnv = builder.environment();
            mutterEnv.remove("DISPLAY");
            mutterEnv.remove("WAYLAND_DISPLAY");
            mutterEnv.put("DBUS_SESSION_BUS_ADDRESS", session.address());
            mutterEnv.put("XDG_RUNTIME_DIR", runtime.toString());
            Process mutter = builder.start();
            AtomicLong idle = new AtomicLong(-1);
            // the retry delay 0: every reading asks Mutter, which needs a moment to come up
            try (LinuxUserIdle reader = LinuxUserIdle.forEnvironment(Map.of("XDG_SESSION_TYPE", "wayland", "WAYLAND_DISPLAY", "wayland-0",
                    "DBUS_SESSION_BUS_ADDRESS", session.address(), "DBUS_SYSTEM_BUS_ADDRESS", system.address()),
                    Clock.systemUTC(), () -> System.nanoTime() / 1_000_000, 2_000, 0);
                 DBusConnection client = DBusConnectionBuilder.forAddress(session.address()).withShared(false).build()) {
                await("Mutter serves its idle time").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> read(reader, idle) >= 0);
                assertEquals(MutterIdle.NAME, reader.source());
                long first = idle.get();
                await("no input: the idle time grows").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> read(reader, idle) >= first + 1_000);

                long before = idle.get();
                MutterRemoteDesktop remoteDesktop = client.getRemoteObject("org.gnome.Mutter.RemoteDesktop", "/org/gnome/Mutter/RemoteDesktop",
                        MutterRemoteDesktop.class);
                DBusPath path = remoteDesktop.CreateSession();
                MutterRemoteDesktopSession input = client.getRemoteObject("org.gnome.Mutter.RemoteDesktop", path.getPath(),
                        MutterRemoteDesktopSession.class);
                input.Start();
                input.NotifyPointerMotionRelative(5, 5);
                await("the pointer moved: the idle time starts again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> read(reader, idle) >= 0 && idle.get() < before);
                input.Stop();
                assertEquals(MutterIdle.NAME, reader.source());
            } finally {
                mutter.destroy();
                if (!mutter.waitFor(10, TimeUnit.SECONDS)) {
                    mutter.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static long read(LinuxUserIdle reader, AtomicLong into) {
        long millis = reader.idleMillis(new Notes());
        into.set(millis);
        return millis;
    }
}
