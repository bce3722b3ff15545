package org.daig.monitor.idle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A private dbus-daemon (Debian's /usr/bin/dbus-daemon) with a configuration of its own: a bus of
 * the given type on a unix socket in a temporary folder, open to anyone who connects. Ready once
 * the daemon has printed its address, which it does after it listens.
 */
final class TestBus implements AutoCloseable {

    static final Path DAEMON = Path.of("/usr/bin/dbus-daemon");

    private final Path socket;
    private final Process process;
    private final String address;

    /** @param type "session" or "system" (the stand-in for the system bus) */
    TestBus(Path dir, String type) throws IOException {
        Files.createDirectories(dir);
        socket = dir.resolve(type + ".sock");
        Path config = dir.resolve(type + ".conf");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>%s</type>
                  <listen>unix:path=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow user="*"/>
                    <allow own="*"/>
                    <allow send_destination="*"/>
                    <allow receive_sender="*"/>
                  </policy>
                </busconfig>
                """.formatted(type, socket), StandardCharsets.UTF_8);
        process = new ProcessBuilder(DAEMON.toString(), "--config-file=" + config, "--nofork", "--nopidfile", "--print-address=1")
                .redirectError(dir.resolve(type + ".err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // blocks until the daemon listens, or ends (null) when it cannot start
        if (line == null || !line.startsWith("unix:")) {
            process.destroyForcibly();
            throw new IOException("dbus-daemon did not start: " + Files.readString(dir.resolve(type + ".err")));
        }
        address = line.trim();
    }

    String address() {
        return address;
    }

    Path socket() {
        return socket;
    }

    /** Ends the daemon (SIGTERM) and waits until it has gone: every connection to it is then closed. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
