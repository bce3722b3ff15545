package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.daig.accounts.AccountAdmin.BrokerFiles;
import org.daig.accounts.AccountAdmin.DeviceToken;
import org.daig.accounts.internal.Books.Book;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mosquitto's files: the {@code $7$} hash against Debian's mosquitto_passwd, and the password and
 * ACL files against a real Mosquitto (skipped where it is not installed: apt-get install mosquitto).
 */
class MosquittoTest {

    private static final String MOSQUITTO = "/usr/sbin/mosquitto";
    private static final String MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd";

    @TempDir
    Path folder;
    private Book book;
    private Process broker;

    @BeforeEach
    void open() throws Exception {
        book = new Books(folder).open();
        book.busClientIds = Set.of("coordinator-main");
    }

    @AfterEach
    void close() throws InterruptedException {
        book.close();
        if (broker != null) {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void ourHashHasMosquittosFormatAndChecksOnlyItsPassword() {
        String hash = MosquittoHash.hash("daig_0123456789abcdef_secret", Books.seeded(5));
        assertTrue(hash.matches("\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}=="), hash);
        assertTrue(MosquittoHash.matches("daig_0123456789abcdef_secret", hash));
        assertFalse(MosquittoHash.matches("daig_0123456789abcdef_secreT", hash));
        assertFalse(MosquittoHash.matches("x", "$6$abc$def"));
        assertFalse(MosquittoHash.matches("x", "$7$101$!!$??"));
        assertFalse(MosquittoHash.matches("x", "$7$99999999$AAAA$AAAA"));
    }

    @Test
    void aHashMosquittoPasswdWroteChecksHere() throws Exception {
        assumeTrue(new File(MOSQUITTO_PASSWD).canExecute(), "mosquitto_passwd is not installed");
        Path file = folder.resolve("passwd");
        Process p = new ProcessBuilder(MOSQUITTO_PASSWD, "-c", "-b", file.toString(), "provider-1", "daig_0123456789abcdef_Zm9v-_x")
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        String line = Files.readAllLines(file).get(0);
        String hash = line.substring(line.indexOf(':') + 1);
        assertTrue(hash.startsWith("$7$101$"), line);
        assertTrue(MosquittoHash.matches("daig_0123456789abcdef_Zm9v-_x", hash));
        assertFalse(MosquittoHash.matches("daig_0123456789abcdef_Zm9v-_y", hash));
    }

    @Test
    void thePasswordFileHasOneLinePerLiveDeviceAndTheServiceTokenAndNoSessions() throws Exception {
        Identity vera = book.verify(book.user("vera", Role.VOLUNTEER).token()).orElseThrow();
        DeviceToken p1 = book.enrolDevice(vera, "p1", null);
        DeviceToken old = book.enrolDevice(vera, "p2", null);
        DeviceToken p2 = book.enrolDevice(vera, "p2", null);
        DeviceToken gone = book.enrolDevice(vera, "p3", null);
        book.logout(book.verify(gone.token()).orElseThrow());
        new FirstStart(book, folder).ensureServiceToken();
        String service = SecretFiles.readLine(folder.resolve(FirstStart.SERVICE_TOKEN_FILE)).orElseThrow();

        BrokerFiles files = book.brokerFiles();
        List<String> lines = files.passwordFile().lines().toList();
        assertEquals(List.of("coordinator-main", "p1", "p2"), lines.stream().map(l -> l.substring(0, l.indexOf(':'))).toList());
        assertTrue(MosquittoHash.matches(service, hash(lines, "coordinator-main")));
        assertTrue(MosquittoHash.matches(p1.token(), hash(lines, "p1")));
        assertTrue(MosquittoHash.matches(p2.token(), hash(lines, "p2")));
        assertFalse(MosquittoHash.matches(old.token(), hash(lines, "p2")), "the re-enrolled device's old token is out");
        assertTrue(files.aclFile().contains("pattern write daig/v1/providers/%u/#"));
        assertTrue(files.aclFile().contains("user coordinator-main\ntopic readwrite daig/v1/#"));

        book.configure(new Settings(1000, 1000, 5, 1000, 5, "grid-main", "grid/v2"));
        BrokerFiles both = book.brokerFiles();
        assertEquals(List.of("coordinator-main", "grid-main", "p1", "p2"),
                both.passwordFile().lines().map(l -> l.substring(0, l.indexOf(':'))).toList(), "the configured id and the connection's");
        assertTrue(both.aclFile().contains("user grid-main\ntopic readwrite grid/v2/#") && both.aclFile().contains("user coordinator-main\n"));
        assertTrue(book.brokerFiles().aclFile().contains("pattern read grid/v2/coordinators/+/to/%u/#"));
        assertThrows(IllegalArgumentException.class, () -> MosquittoFiles.acl(List.of("c"), "daig/#"));
    }

    private static String hash(List<String> lines, String user) {
        return lines.stream().filter(l -> l.startsWith(user + ":")).findFirst().orElseThrow().substring(user.length() + 1);
    }

    @Test
    void realMosquittoLetsInOnlyTheBoundClientsAndConfinesProvidersToTheirSubtree() throws Exception {
        assumeTrue(new File(MOSQUITTO).canExecute(), "Debian's mosquitto is not installed");
        Identity vera = book.verify(book.user("vera", Role.VOLUNTEER).token()).orElseThrow();
        DeviceToken p1 = book.enrolDevice(vera, "p1", null);
        DeviceToken revoked = book.enrolDevice(vera, "p2", null);
        book.logout(book.verify(revoked.token()).orElseThrow());
        new FirstStart(book, folder).ensureServiceToken();
        String service = SecretFiles.readLine(folder.resolve(FirstStart.SERVICE_TOKEN_FILE)).orElseThrow();
        String api = book.login("vera", Books.PASSWORD, "127.0.0.1").token();
        int port = startMosquitto(book.brokerFiles());

        try (MqttWire anonymous = new MqttWire(port); MqttWire wrong = new MqttWire(port); MqttWire stolen = new MqttWire(port);
                MqttWire session = new MqttWire(port); MqttWire old = new MqttWire(port)) {
            assertNotEquals(0, anonymous.connect("p1", "p1", ""), "no password");
            assertNotEquals(0, wrong.connect("p1", "p1", p1.token() + "x"), "wrong token");
            assertNotEquals(0, stolen.connect("p9", "p9", p1.token()), "p1's token under another name");
            assertNotEquals(0, session.connect("vera", "vera", api), "an API token is no broker password");
            assertNotEquals(0, old.connect("p2", "p2", revoked.token()), "revoked");
        }
        try (MqttWire coordinator = new MqttWire(port); MqttWire provider = new MqttWire(port)) {
            assertEquals(0, coordinator.connect("coordinator-main", "coordinator-main", service));
            assertEquals(0, provider.connect("p1", "p1", p1.token()));
            assertEquals(1, coordinator.subscribe("daig/v1/#"));
            assertEquals(1, provider.subscribe("daig/v1/coordinators/+/info"));
            // the provider's bus subscribes every reply (BusTaskExchange: coordinators/+/to/+/tasks); Mosquitto
            // grants the filter and applies the read ACL to each message it would deliver (checked below)
            assertEquals(1, provider.subscribe("daig/v1/coordinators/+/to/+/tasks"));

            // refused publishes first, then an allowed one: messages of one client arrive in order,
            // so if the coordinator's first message is the allowed one, the others never got through
            provider.publish("daig/v1/coordinators/coordinator-main/info", "{\"forged\":true}");
            provider.publish("daig/v1/providers/p2/presence", "{\"online\":false}");
            provider.publish("daig/v1/coordinators/coordinator-main/to/p2/tasks", "{}");
            provider.publish("daig/v1/providers/p1/presence", "{\"online\":true}");
            assertEquals("daig/v1/providers/p1/presence", coordinator.nextMessage().topic());

            coordinator.publish("daig/v1/coordinators/coordinator-main/to/p2/tasks", "{\"for\":\"p2\"}");
            coordinator.publish("daig/v1/coordinators/coordinator-main/to/p1/tasks", "{\"for\":\"p1\"}");
            assertEquals("daig/v1/coordinators/coordinator-main/to/p1/tasks", provider.nextMessage().topic(), "p2's reply is not p1's to read");
        }
    }

    private int startMosquitto(BrokerFiles files) throws IOException {
        Path passwords = folder.resolve("mosquitto-passwords");
        SecretFiles.write(passwords, files.passwordFile());
        Path acl = folder.resolve("mosquitto-acl");
        Files.writeString(acl, files.aclFile());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = folder.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n", "listener " + port + " 127.0.0.1", "user " + System.getProperty("user.name"),
                "allow_anonymous false", "password_file " + passwords, "acl_file " + acl, "persistence false", "log_dest stderr", ""));
        broker = new ProcessBuilder(MOSQUITTO, "-c", conf.toString()).redirectErrorStream(true).start();
        BufferedReader log = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = log.readLine(); line != null; line = log.readLine()) { // Mosquitto says "running" once it listens
            seen.append(line).append('\n');
            if (line.contains(" running")) {
                Thread drain = new Thread(() -> {
                    try {
                        log.lines().forEach(l -> { });
                    } catch (java.io.UncheckedIOException closed) {
                        // the broker was stopped
                    }
                }, "mosquitto-log");
                drain.setDaemon(true);
                drain.start();
                return port;
            }
        }
        throw new IOException("mosquitto did not start:\n" + seen);
    }
}
