package org.daig.provider.enrol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.daig.api.bus.MessageBus;
import org.daig.provider.ProviderConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The enrolment component as DS runs it (activate with the provider's configuration, the
 * provider's bus bound for its client id), against a stand-in coordinator: what it logs names
 * the account and device, never the token, the code or the password.
 */
class EnrolmentServiceTest {

    @TempDir
    Path data;
    private FakeAccounts coordinator;
    private EnrolmentService service;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void start() throws IOException {
        coordinator = new FakeAccounts();
        log.start();
        root.addAppender(log);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.deactivate();
        }
        root.detachAppender(log);
        coordinator.close();
    }

    private List<String> lines() {
        synchronized (log) { // the lock ListAppender adds under (AppenderBase.doAppend), not the list's
            return log.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        }
    }

    private void run(Map<String, String> settings) {
        service = new EnrolmentService();
        service.bindBus(bus("provider-box-1a2b3c"));
        service.activate(context(data), config(settings));
    }

    @Test
    void aGoodCodeEnrolsAndTheLogNamesTheAccountButNoSecret() throws Exception {
        run(Map.of("coordinatorUrl", coordinator.base().toString(), "_enrolmentCode", FakeAccounts.CODE));

        await(() -> service.state().enrolled());

        assertEquals("vol", service.state().account());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("provider/device-token"))));
        await(() -> lines().stream().anyMatch(l -> l.startsWith("INFO Provider enrolled: device provider-box-1a2b3c of account vol")));
        for (String line : lines()) {
            assertFalse(line.contains(FakeAccounts.DEVICE_TOKEN) || line.contains(FakeAccounts.CODE), line);
        }
    }

    @Test
    void aWrongCodeSaysWhatToDoInTheStateAndLogAndWritesNothing() {
        run(Map.of("coordinatorUrl", coordinator.base().toString(), "_enrolmentCode", "WRONG-CODE-77"));

        await(() -> service.state().message().contains("refused"));

        assertFalse(service.state().enrolled());
        assertTrue(service.state().message().endsWith("put it in config/org.daig.provider.cfg (.enrolmentCode=...)"), service.state().message());
        assertFalse(Files.exists(data.resolve("provider/device-token")));
        await(() -> lines().stream().anyMatch(l -> l.startsWith("WARN Provider not enrolled: the coordinator at")));
        assertTrue(lines().stream().noneMatch(l -> l.contains("WRONG-CODE-77")), lines().toString());
    }

    @Test
    void nothingConfiguredAsksForACode() {
        run(Map.of("coordinatorUrl", coordinator.base().toString()));

        await(() -> lines().stream().anyMatch(l -> l.contains(EnrolmentState.HOW_TO_ENROL)));

        assertEquals(EnrolmentState.HOW_TO_ENROL, service.state().message());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void anAccountsPasswordComesFromItsFileInTheDataFolder() throws Exception {
        Files.writeString(data.resolve("volunteer.password"), FakeAccounts.PASSWORD + "\n");
        run(Map.of("coordinatorUrl", coordinator.base().toString(), "account", "vol", "passwordFile", "volunteer.password"));

        await(() -> service.state().enrolled());

        assertTrue(lines().stream().noneMatch(l -> l.contains(FakeAccounts.PASSWORD) || l.contains(FakeAccounts.SESSION_TOKEN)), lines().toString());
    }

    @Test
    void controlCharactersFromTheCoordinatorCannotForgeLogLines() {
        assertEquals("a?INFO forged", EnrolmentService.printable("a\nINFO forged"));
        assertEquals(300, EnrolmentService.printable("x".repeat(1000)).length());
    }

    /** Polls a condition (the component works on its own thread) for at most 10 s. */
    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 10 s");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(10); // polling a condition, as Awaitility does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static BundleContext context(Path data) {
        return (BundleContext) Proxy.newProxyInstance(EnrolmentServiceTest.class.getClassLoader(), new Class<?>[] { BundleContext.class },
                (proxy, method, args) -> method.getName().equals("getProperty") && "daig.data.dir".equals(args[0]) ? data.toString() : null);
    }

    private static MessageBus bus(String clientId) {
        return (MessageBus) Proxy.newProxyInstance(EnrolmentServiceTest.class.getClassLoader(), new Class<?>[] { MessageBus.class },
                (proxy, method, args) -> switch (method.getName()) {
                case "clientId" -> clientId;
                case "isConnected" -> false;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> null;
                });
    }

    /** The configuration DS would hand over: the settings given, else each attribute's default. */
    private static ProviderConfig config(Map<String, String> settings) {
        return (ProviderConfig) Proxy.newProxyInstance(EnrolmentServiceTest.class.getClassLoader(), new Class<?>[] { ProviderConfig.class },
                (proxy, method, args) -> settings.containsKey(method.getName()) ? settings.get(method.getName()) : method.getDefaultValue());
    }
}
