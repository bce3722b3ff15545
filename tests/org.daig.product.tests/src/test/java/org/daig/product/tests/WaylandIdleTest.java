package org.daig.product.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desktop product in a Wayland session: the provider reads the idle time from GNOME's real
 * compositor (Debian's mutter, headless) over D-Bus, which takes dbus-java resolved in Equinox with
 * its transport fragment, and says so in its log; when Mutter goes, the log says that too.
 */
class WaylandIdleTest {

    private static final Path DAEMON = Path.of("/usr/bin/dbus-daemon");
    private static final Path MUTTER = Path.of("/usr/bin/mutter");

    @BeforeAll
    static void productsExist() {
        ProductsTest.productsExist();
    }

    @Test
    void theProviderReadsMuttersIdleTimeAndSaysWhenMutterGoes(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(DAEMON) && Files.isExecutable(MUTTER),
                "needs dbus-daemon and mutter (apt-get install --no-install-recommends dbus-daemon mutter)");
        Path runtime = Files.createDirectory(tmp.resolve("runtime"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Process bus = null;
        Process mutter = null;
        try {
            bus = sessionBus(tmp);
            String address = new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assumeTrue(address != null && address.startsWith("unix:"), "dbus-daemon did not start: " + Files.readString(tmp.resolve("bus.err")));
            ProcessBuilder compositor = new ProcessBuilder(MUTTER.toString(), "--headless", "--virtual-monitor", "1280x720", "--wayland",
                    "--no-x11").redirectErrorStream(true).redirectOutput(tmp.resolve("mutter.log").toFile());
            Map<String, String> env = compositor.environment();
            env.remove("DISPLAY");
            env.remove("WAYLAND_DISPLAY");
            env.put("DBUS_SESSION_BUS_ADDRESS", address);
            env.put("XDG_RUNTIME_DIR", runtime.toString());
            mutter = compositor.start();
            ProductProcess.await("Mutter on the session bus", Duration.ofSeconds(60), () -> hasOwner(address, "org.gnome.Mutter.IdleMonitor"));

            try (ProductProcess provider = ProductProcess.provider(tmp.resolve("provider"))
                    .env("DBUS_SESSION_BUS_ADDRESS", address)
                    .env("WAYLAND_DISPLAY", "wayland-0") // a Wayland session: X11 is not asked even where DISPLAY is set
                    .env("XDG_SESSION_TYPE", "wayland")
                    .env("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + tmp.resolve("no-system-bus"))
                    .start()) {
                provider.awaitLine("Idle time from: GNOME \\(Mutter IdleMonitor\\)$", Duration.ofSeconds(90));
                mutter.destroy();
                mutter.waitFor(10, TimeUnit.SECONDS);
                provider.awaitLine("User idle time unknown: GNOME \\(Mutter IdleMonitor\\): org.gnome.Mutter.IdleMonitor is not on the session bus",
                        Duration.ofSeconds(30));
                for (String line : provider.output()) {
                    assertFalse(line.startsWith("\tat ") || line.contains("Exception in"), "no stack trace in the log: " + line);
                }
            }
        } finally {
            for (Process process : new Process[] { mutter, bus }) {
                if (process != null) {
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor();
                    }
                }
            }
        }
    }

    /** A private session bus on a unix socket in {@code dir}; it prints its address once it listens. */
    private static Process sessionBus(Path dir) throws IOException {
        Path config = dir.resolve("session.conf");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <allow own="*"/>
                    <allow send_destination="*"/>
                    <allow receive_sender="*"/>
                  </policy>
                </busconfig>
                """.formatted(dir.resolve("session.sock")), StandardCharsets.UTF_8);
        return new ProcessBuilder(DAEMON.toString(), "--config-file=" + config, "--nofork", "--nopidfile", "--print-address=1")
                .redirectError(dir.resolve("bus.err").toFile()).start();
    }

    /** Asks the bus with dbus-send (dbus-daemon's companion, dbus-bin) whether a name has an owner. */
    private static boolean hasOwner(String address, String name) throws IOException, InterruptedException {
        Process send = new ProcessBuilder("dbus-send", "--bus=" + address, "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner", "string:" + name).redirectErrorStream(true).start();
        String reply = new String(send.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return send.waitFor() == 0 && reply.contains("boolean true");
    }
}
