package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Debian's Mosquitto as the external broker, with a password file: presence works with the right
 * credentials; wrong credentials give one clear log line and nothing else breaks.
 */
class MosquittoTest {

    private static final String MOSQUITTO = "/usr/sbin/mosquitto";
    private static final String MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd";

    private final Grid grid = new Grid();
    private Process broker;
    private Path dir;
    private String url;

    @BeforeEach
    void startMosquitto() throws Exception {
        assumeTrue(new File(MOSQUITTO).canExecute() && new File(MOSQUITTO_PASSWD).canExecute(),
                "Debian's mosquitto is not installed (apt-get install mosquitto): skipping the external-broker tests");
        dir = Files.createTempDirectory("daig-mosquitto");
        Path passwords = dir.resolve("passwords");
        run(MOSQUITTO_PASSWD, "-c", "-b", passwords.toString(), "coordinator", "c-secret");
        run(MOSQUITTO_PASSWD, "-b", passwords.toString(), "provider", "p-secret");
        int port = Grid.freePort();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "user " + System.getProperty("user.name"), // as root, mosquitto would switch to a user that cannot read our files
                "allow_anonymous false",
                "password_file " + passwords,
                "persistence false",
                "log_dest stderr",
                ""));
        broker = new ProcessBuilder(MOSQUITTO, "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        url = "tcp://127.0.0.1:" + port;
        Grid.await("mosquitto listening on " + port, () -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException notYet) {
                return !broker.isAlive() && fail("mosquitto exited: " + log());
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        grid.close();
        if (broker != null) {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void presenceWorksThroughMosquittoWithCredentials() throws Exception {
        grid.bus(Topics.COORDINATOR, "coord-mosq", url, "username", "coordinator", ".password", "c-secret");
        grid.bus(Topics.PROVIDER, "prov-mosq", url, "username", "provider", ".password", "p-secret");
        var seen = grid.awaitProviderServing("prov-mosq");
        assertEquals(Runtime.getRuntime().availableProcessors(), seen.machine().logicalCores());
    }

    @Test
    void wrongCredentialsGiveAClearLogLineAndTheRestKeepsWorking() throws Exception {
        try (LogCapture log = new LogCapture()) {
            grid.bus(Topics.COORDINATOR, "coord-mosq2", url, "username", "coordinator", ".password", "wrong-secret");
            grid.bus(Topics.PROVIDER, "prov-mosq2", url, "username", "provider", ".password", "p-secret");
            log.await("coord-mosq2", "refused the user name or password");
            assertFalse(log.lines().stream().anyMatch(l -> l.contains("Exception")), "no stack trace for a user error");
            assertFalse(grid.bus("coord-mosq2").orElseThrow().isConnected());
            grid.awaitConnected("prov-mosq2"); // the other connection is unaffected
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(List.of(command) + " failed: " + out);
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean fail(String message) {
        throw new AssertionError(message);
    }
}
