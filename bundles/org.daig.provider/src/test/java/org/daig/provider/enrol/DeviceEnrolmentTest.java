package org.daig.provider.enrol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A provider's enrolment against a stand-in coordinator: the device token lands owner-only, or nothing lands and the state says why. */
class DeviceEnrolmentTest {

    private static final String DEVICE = "provider-box-1a2b3c";

    @TempDir
    Path folder;
    private FakeAccounts coordinator;
    private DeviceEnrolment enrolment;

    @BeforeEach
    void start() throws IOException {
        coordinator = new FakeAccounts();
        enrolment = new DeviceEnrolment(folder, () -> 1234L);
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private DeviceEnrolment.Means code(String code) {
        return new DeviceEnrolment.Means(coordinator.base(), code, "", null);
    }

    private static void noSecretIn(EnrolmentState state) {
        for (String secret : List.of(FakeAccounts.DEVICE_TOKEN, FakeAccounts.SESSION_TOKEN, FakeAccounts.PASSWORD, FakeAccounts.CODE)) {
            assertFalse(state.toString().contains(secret), state.toString());
        }
    }

    @Test
    void aGoodCodeKeepsTheDeviceTokenOwnerOnly() throws Exception {
        DeviceEnrolment.Attempt attempt = enrolment.enrol(code(FakeAccounts.CODE), DEVICE, "box");

        assertTrue(attempt.state().enrolled(), attempt.toString());
        assertFalse(attempt.retry());
        assertEquals("vol", attempt.state().account());
        assertEquals(DEVICE, attempt.state().device());
        assertEquals("enrolled: device " + DEVICE + " of account vol at " + coordinator.base(), attempt.state().message());
        Path token = folder.resolve("device-token");
        assertEquals(FakeAccounts.DEVICE_TOKEN, Files.readString(token));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        assertEquals(List.of("POST /api/v1/devices - {\"deviceId\":\"" + DEVICE + "\",\"name\":\"box\",\"code\":\"" + FakeAccounts.CODE + "\"}"),
                coordinator.requests());
        noSecretIn(attempt.state());
        assertEquals(attempt.state(), enrolment.current(coordinator.base().toString(), "unused"), "what is on disk says the same");
    }

    @Test
    void aWrongCodeLeavesNoTokenAndSaysToAskForANewOne() {
        DeviceEnrolment.Attempt attempt = enrolment.enrol(code("WRONG-CODE"), DEVICE, "box");

        assertFalse(attempt.state().enrolled());
        assertFalse(attempt.retry(), "a refused code is not sent again and again");
        assertNull(attempt.state().account());
        String message = attempt.state().message();
        assertTrue(message.startsWith("not enrolled: the coordinator at " + coordinator.base()
                + " refused to enrol this device with the enrolment code"), message);
        assertTrue(message.contains("unknown, used-up or expired enrolment code"), message);
        assertTrue(message.endsWith("ask your grid's admin for a new enrolment code and put it in config/org.daig.provider.cfg (.enrolmentCode=...)"),
                message);
        assertFalse(Files.exists(folder.resolve("device-token")));
        assertFalse(Files.exists(folder.resolve("device.json")));
    }

    @Test
    void nothingToEnrolWithSendsNothingAndSaysHow() {
        DeviceEnrolment.Attempt attempt = enrolment.enrol(new DeviceEnrolment.Means(coordinator.base(), "", "", null), DEVICE, "box");

        assertEquals(EnrolmentState.HOW_TO_ENROL, attempt.state().message());
        assertEquals("not enrolled: ask your grid's admin for an enrolment code and put it in config/org.daig.provider.cfg (.enrolmentCode=...)",
                attempt.state().message());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void anAccountLogsInEnrolsAndLogsOutAgain() throws Exception {
        char[] password = FakeAccounts.PASSWORD.toCharArray();
        DeviceEnrolment.Attempt attempt = enrolment.enrol(new DeviceEnrolment.Means(coordinator.base(), "", "vol", password), DEVICE, "box");

        assertTrue(attempt.state().enrolled(), attempt.toString());
        List<String> requests = coordinator.requests();
        assertEquals(3, requests.size(), requests.toString());
        assertTrue(requests.get(0).startsWith("POST /api/v1/login - "));
        assertTrue(requests.get(1).startsWith("POST /api/v1/devices Bearer " + FakeAccounts.SESSION_TOKEN + " "), requests.toString());
        assertTrue(requests.get(2).startsWith("POST /api/v1/logout Bearer " + FakeAccounts.SESSION_TOKEN), requests.toString());
        assertEquals(FakeAccounts.DEVICE_TOKEN, Files.readString(folder.resolve("device-token")));
        assertEquals("", new String(password).replace("\0", ""), "the password is cleared after use");
        noSecretIn(attempt.state());
    }

    @Test
    void aWrongPasswordLeavesNoToken() {
        DeviceEnrolment.Attempt attempt = enrolment.enrol(new DeviceEnrolment.Means(coordinator.base(), "", "vol",
                "not the password".toCharArray()), DEVICE, "box");

        assertFalse(attempt.state().enrolled());
        assertFalse(attempt.retry());
        assertTrue(attempt.state().message().contains("refused the login: wrong user or password")
                && attempt.state().message().endsWith("check account and passwordFile in config/org.daig.provider.cfg"), attempt.toString());
        assertFalse(Files.exists(folder.resolve("device-token")));
    }

    @Test
    void anAccountWithoutPasswordSendsNothing() {
        DeviceEnrolment.Attempt attempt = enrolment.enrol(new DeviceEnrolment.Means(coordinator.base(), "", "vol", null), DEVICE, "box");

        assertTrue(attempt.state().message().contains("no password: set passwordFile"), attempt.toString());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void anUnreachableCoordinatorIsTriedAgainLater() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort);

        DeviceEnrolment.Attempt attempt = enrolment.enrol(new DeviceEnrolment.Means(nowhere, FakeAccounts.CODE, "", null), DEVICE, "box");

        assertTrue(attempt.retry());
        assertEquals("not enrolled yet: cannot reach the coordinator at " + nowhere + " to enrol (trying again)", attempt.state().message());
        assertFalse(Files.exists(folder.resolve("device-token")));
    }

    @Test
    void aTokenPutThereByHandCountsAsEnrolled() throws IOException {
        Files.writeString(folder.resolve("device-token"), "daig_x_y");

        EnrolmentState state = enrolment.current("http://c:7700", "unused");

        assertTrue(state.enrolled());
        assertNull(state.account(), "not known without device.json");
    }
}
