package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.daig.accounts.AccountAdmin.DeviceToken;
import org.daig.accounts.AccountAdmin.DeviceView;
import org.daig.accounts.AccountAdmin.EnrolmentCode;
import org.daig.accounts.AccountAdmin.Session;
import org.daig.accounts.AccountException;
import org.daig.accounts.AccountException.Reason;
import org.daig.accounts.internal.Books.Book;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Device tokens, enrolment codes and the MQTT check (user name = client id). */
class DevicesTest {

    @TempDir
    Path folder;
    private Books books;
    private Book book;
    private Identity vera;

    @BeforeEach
    void open() throws Exception {
        books = new Books(folder);
        book = books.open();
        book.busClientIds = Set.of("coordinator-host-abc");
        vera = book.verify(book.user("vera", Role.VOLUNTEER).token()).orElseThrow();
    }

    @AfterEach
    void close() {
        book.close();
    }

    private static AccountException refused(Reason reason, Executable action) {
        AccountException e = assertThrows(AccountException.class, action);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void aVolunteerEnrolsADeviceWhoseTokenIsBoundToItsClientId() throws Exception {
        DeviceToken t = book.enrolDevice(vera, "provider-pc-1", "Vera's PC");
        assertEquals("coordinator-host-abc", t.coordinatorId());
        assertEquals(Books.START + 365 * 86_400_000L, t.expiresAt());
        Identity device = book.verify(t.token()).orElseThrow();
        assertEquals(Scope.DEVICE, device.scope());
        assertEquals("provider-pc-1", device.device());
        assertEquals("vera", device.user());

        assertEquals(Optional.of(device), book.verifyClient("provider-pc-1", t.token()));
        assertEquals(Optional.empty(), book.verifyClient("provider-pc-2", t.token()), "another client id");
        assertEquals(Optional.empty(), book.verifyClient("coordinator-host-abc", t.token()), "not the coordinator's");
        assertEquals(Optional.empty(), book.verifyClient(null, t.token()));
        assertEquals(Optional.empty(), book.verifyClient("provider-pc-1", "wrong"));
        assertEquals(Optional.of("vera"), book.deviceAccount("provider-pc-1"), "its work is credited to vera's account too");
        assertEquals(Optional.empty(), book.deviceAccount("provider-pc-2"));

        List<DeviceView> devices = book.devices(vera);
        assertEquals(1, devices.size());
        assertEquals(new DeviceView("provider-pc-1", "vera", "Vera's PC", t.tokenId(), Books.START, Books.START), devices.get(0),
                "seen when its token was checked");
    }

    @Test
    void anApiTokenIsNoMqttPasswordAndOnlyAVolunteersSessionEnrols() throws Exception {
        Session api = book.login("vera", Books.PASSWORD, "10.0.0.1");
        assertEquals(Optional.empty(), book.verifyClient("vera", api.token()));
        Identity requestor = book.verify(book.user("rita", Role.REQUESTOR).token()).orElseThrow();
        refused(Reason.FORBIDDEN, () -> book.enrolDevice(requestor, "provider-rita", null));
        DeviceToken t = book.enrolDevice(vera, "provider-pc-1", null);
        Identity device = book.verify(t.token()).orElseThrow();
        refused(Reason.FORBIDDEN, () -> book.enrolDevice(device, "provider-pc-2", null));
        assertEquals(List.of("provider-pc-1"), book.devices(vera).stream().map(DeviceView::device).toList());
    }

    @Test
    void reEnrollingRevokesTheOldTokenAndAnotherAccountCannotTakeTheId() throws Exception {
        DeviceToken first = book.enrolDevice(vera, "provider-pc-1", "old");
        assertTrue(book.verify(first.token()).isPresent(), "works (and was just checked)");
        DeviceToken second = book.enrolDevice(vera, "provider-pc-1", "new");
        assertEquals(Optional.empty(), book.verify(first.token()));
        assertTrue(book.verify(second.token()).isPresent());

        Identity mallory = book.verify(book.user("mallory", Role.VOLUNTEER).token()).orElseThrow();
        refused(Reason.CONFLICT, () -> book.enrolDevice(mallory, "provider-pc-1", "mine now"));
        assertTrue(book.verify(second.token()).isPresent(), "vera's device keeps working");
        assertEquals("new", book.devices(vera).get(0).name());
        assertEquals(List.of(), book.devices(mallory));
    }

    @Test
    void deviceIdsAreTopicSegmentsAndCoordinatorNamesAreReserved() throws Exception {
        for (String bad : new String[] { "coordinator", "coordinator-x", "a/b", "+", "#", "", "-lead", "a".repeat(65), null }) {
            refused(Reason.INVALID, () -> book.enrolDevice(vera, bad, null));
        }
        refused(Reason.INVALID, () -> book.enrolDevice(vera, "provider-1", "bad\nname"));
        assertEquals(List.of(), book.devices(vera));
    }

    @Test
    void anEnrolmentCodeEnrolsForItsUserAsOftenAsAllowedAndUntilItExpires() throws Exception {
        EnrolmentCode code = book.createEnrolmentCode("vera", 2, 1);
        assertTrue(code.code().startsWith("daigcode_"));
        DeviceToken a = book.enrolDeviceWithCode(code.code(), "lab-1", "Lab 1", "10.1.1.1");
        assertEquals("vera", a.user());
        book.enrolDeviceWithCode(code.code(), "lab-2", null, "10.1.1.1");
        refused(Reason.UNAUTHORIZED, () -> book.enrolDeviceWithCode(code.code(), "lab-3", null, "10.1.1.1"));

        EnrolmentCode later = book.createEnrolmentCode("vera", 5, 1);
        books.now.addAndGet(3_600_000L);
        refused(Reason.UNAUTHORIZED, () -> book.enrolDeviceWithCode(later.code(), "lab-4", null, "10.1.1.2"));
        assertEquals(List.of("lab-1", "lab-2"), book.devices(vera).stream().map(DeviceView::device).toList());
    }

    @Test
    void wrongCodesAreRefusedAlikeAndCountAsFailuresOfTheAddress() throws Exception {
        EnrolmentCode code = book.createEnrolmentCode("vera", 10, 24);
        String wrongSecret = code.code().substring(0, code.code().length() - 2) + "AA";
        String message = refused(Reason.UNAUTHORIZED, () -> book.enrolDeviceWithCode(wrongSecret, "lab-1", null, "203.0.113.5")).getMessage();
        assertEquals(message, refused(Reason.UNAUTHORIZED, () -> book.enrolDeviceWithCode("nonsense", "lab-1", null, "203.0.113.5")).getMessage());
        String unknownId = code.code().replaceFirst("daigcode_[0-9a-f]{16}", "daigcode_0000000000000000");
        refused(Reason.UNAUTHORIZED, () -> book.enrolDeviceWithCode(unknownId, "lab-1", null, "203.0.113.5"));
        refused(Reason.UNAUTHORIZED, () -> book.enrolDeviceWithCode(wrongSecret, "lab-1", null, "203.0.113.5"));
        refused(Reason.UNAUTHORIZED, () -> book.enrolDeviceWithCode(wrongSecret, "lab-1", null, "203.0.113.5"));
        refused(Reason.RATE_LIMITED, () -> book.enrolDeviceWithCode(code.code(), "lab-1", null, "203.0.113.5"));
        assertEquals("lab-1", book.enrolDeviceWithCode(code.code(), "lab-1", null, "203.0.113.6").device());
    }

    @Test
    void aDisabledOwnersCodeAndDevicesStopWorking() throws Exception {
        EnrolmentCode code = book.createEnrolmentCode("vera", 3, 24);
        DeviceToken t = book.enrolDeviceWithCode(code.code(), "lab-1", null, "10.1.1.1");
        book.setDisabled("vera", true);
        assertEquals(Optional.empty(), book.verify(t.token()));
        assertEquals(Optional.empty(), book.verifyClient("lab-1", t.token()));
        refused(Reason.UNAUTHORIZED, () -> book.enrolDeviceWithCode(code.code(), "lab-2", null, "10.1.1.1"));
    }

    @Test
    void codesNeedAnExistingUserAndSaneLimits() {
        refused(Reason.INVALID, () -> book.createEnrolmentCode("nobody", 1, 1));
        refused(Reason.INVALID, () -> book.createEnrolmentCode("vera", 0, 1));
        refused(Reason.INVALID, () -> book.createEnrolmentCode("vera", 1, 0));
        refused(Reason.INVALID, () -> book.createEnrolmentCode("vera", DeviceDesk.MAX_CODE_USES + 1, 1));
    }

    @Test
    void anAdminSeesEveryDeviceAndAVolunteerOnlyTheirOwn() throws Exception {
        book.enrolDevice(vera, "provider-vera", null);
        Identity walt = book.verify(book.user("walt", Role.VOLUNTEER).token()).orElseThrow();
        book.enrolDevice(walt, "provider-walt", null);
        Identity admin = book.verify(book.user("root", Role.ADMIN).token()).orElseThrow();
        assertEquals(List.of("provider-vera", "provider-walt"), book.devices(admin).stream().map(DeviceView::device).toList());
        assertEquals(List.of("provider-walt"), book.devices(walt).stream().map(DeviceView::device).toList());
    }

    @Test
    void theServiceTokenIsValidOnlyForTheCoordinatorsClientIds() throws Exception {
        new FirstStart(book, folder).ensureServiceToken();
        String token = SecretFiles.readLine(folder.resolve(FirstStart.SERVICE_TOKEN_FILE)).orElseThrow();
        assertEquals(Scope.SERVICE, book.verifyClient("coordinator-host-abc", token).orElseThrow().scope());
        assertTrue(book.verifyClient("coordinator", token).isPresent());
        assertEquals(Optional.empty(), book.verifyClient("provider-pc-1", token));
        assertEquals(Optional.empty(), book.verifyClient("coordinatorx", token));
        assertEquals(Optional.empty(), book.verifyClient("grid-main", token));
        book.configure(new Settings(1, 1, 5, 1, 5, "grid-main", "daig/v1"));
        assertTrue(book.verifyClient("grid-main", token).isPresent(), "the configured client id");
        refused(Reason.INVALID, () -> book.enrolDevice(vera, "grid-main", null));
        assertEquals(Set.of(), book.verify(token).orElseThrow().roles(), "a service token has no person's roles");

        book.busClientIds = Set.of("coord-lab");
        assertTrue(book.verifyClient("coord-lab", token).isPresent(), "this process's own coordinator connection");
        refused(Reason.INVALID, () -> book.enrolDevice(vera, "coord-lab", null));
        assertEquals("coord-lab", book.enrolDevice(vera, "provider-pc-9", null).coordinatorId(), "what the provider is told to trust");
    }

    @Test
    void whenADeviceWasLastSeenIsWrittenInBatchesAndShownAtOnce() throws Exception {
        DeviceToken t = book.enrolDevice(vera, "provider-pc-1", "Vera's PC");
        books.now.set(Books.START + 5_000);
        assertTrue(book.verify(t.token()).isPresent());
        assertNull(book.db.transaction(c -> AccountStore.device(c, "provider-pc-1")).orElseThrow().lastSeenAt(),
                "not written on the request's own path");
        assertEquals(Books.START + 5_000, book.devices(vera).get(0).lastSeenAt(), "the list writes what was noted first");
        books.now.set(Books.START + 20_000);
        assertTrue(book.verify(t.token()).isPresent());
        book.writeSeen();
        assertEquals(Books.START + 5_000, book.db.transaction(c -> AccountStore.device(c, "provider-pc-1")).orElseThrow().lastSeenAt(),
                "at most once a minute per device");
        books.now.set(Books.START + 70_000);
        assertTrue(book.verify(t.token()).isPresent());
        book.writeSeen();
        assertEquals(Books.START + 70_000, book.db.transaction(c -> AccountStore.device(c, "provider-pc-1")).orElseThrow().lastSeenAt());
    }
}
