package org.daig.accounts.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.daig.accounts.AccountAdmin.Session;
import org.daig.accounts.AccountAdmin.UserView;
import org.daig.accounts.AccountException;
import org.daig.accounts.AccountException.Reason;
import org.daig.accounts.internal.Books.Book;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users, logins and API tokens on a real H2: every refusal, and that a refusal changes nothing. */
class AccountBookTest {

    @TempDir
    Path folder;
    private Books books;
    private Book book;

    @BeforeEach
    void open() throws Exception {
        books = new Books(folder);
        book = books.open();
    }

    @AfterEach
    void close() {
        book.close();
    }

    private static AccountException refused(Reason reason, org.junit.jupiter.api.function.Executable action) {
        AccountException e = assertThrows(AccountException.class, action);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void aLoginGivesAnApiTokenThatStandsForTheUserUntilItExpires() throws Exception {
        book.createUser("alice", Books.PASSWORD, Set.of(Role.REQUESTOR, Role.VOLUNTEER));
        Session s = book.login("alice", Books.PASSWORD, "10.0.0.1");
        assertEquals(Set.of(Role.REQUESTOR, Role.VOLUNTEER), s.roles());
        assertEquals(Books.START + 12 * 3_600_000L, s.expiresAt(), "12 hours by default");
        Identity who = book.verify(s.token()).orElseThrow();
        assertEquals(new Identity("alice", Set.of(Role.REQUESTOR, Role.VOLUNTEER), Scope.API, null, s.tokenId(), s.expiresAt()), who);
        assertEquals(Books.START, book.users().get(0).lastLoginAt());

        books.now.set(s.expiresAt() - 1);
        assertTrue(book.verify(s.token()).isPresent());
        books.now.set(s.expiresAt());
        assertEquals(Optional.empty(), book.verify(s.token()), "expired");
    }

    @Test
    void anUnknownUserAWrongPasswordAndADisabledAccountGetTheSameAnswer() throws Exception {
        book.createUser("alice", Books.PASSWORD, Set.of(Role.REQUESTOR));
        book.createUser("carol", Books.PASSWORD, Set.of(Role.REQUESTOR));
        book.setDisabled("carol", true);
        String unknown = refused(Reason.UNAUTHORIZED, () -> book.login("mallory", Books.PASSWORD, "10.0.0.1")).getMessage();
        String wrong = refused(Reason.UNAUTHORIZED, () -> book.login("alice", "wrong password!", "10.0.0.2")).getMessage();
        String disabled = refused(Reason.UNAUTHORIZED, () -> book.login("carol", Books.PASSWORD, "10.0.0.3")).getMessage();
        assertEquals(unknown, wrong);
        assertEquals(unknown, disabled);
        refused(Reason.UNAUTHORIZED, () -> book.login(null, null, "10.0.0.4"));
        refused(Reason.UNAUTHORIZED, () -> book.login("bad name\n", Books.PASSWORD, "10.0.0.4"));
        assertNull(book.users().get(0).lastLoginAt(), "nothing changed for alice");
    }

    @Test
    void theSixthFailureForAUserWithinFifteenMinutesIsRateLimitedEvenWithTheRightPassword() throws Exception {
        book.createUser("alice", Books.PASSWORD, Set.of(Role.REQUESTOR));
        for (int i = 0; i < 5; i++) {
            books.now.addAndGet(1000);
            refused(Reason.UNAUTHORIZED, () -> book.login("alice", "guess number one", "10.0.1." + books.now.get() % 250));
        }
        AccountException limited = refused(Reason.RATE_LIMITED, () -> book.login("alice", Books.PASSWORD, "10.9.9.9"));
        assertEquals(15 * 60 - 4, limited.retryAfterSeconds());
        book.createUser("bob", Books.PASSWORD, Set.of(Role.REQUESTOR));
        assertTrue(book.login("bob", Books.PASSWORD, "10.9.9.9").token().startsWith("daig_"), "another user is not affected");
        books.now.addAndGet(15 * 60_000L);
        assertTrue(book.verify(book.login("alice", Books.PASSWORD, "10.9.9.9").token()).isPresent(), "the window passed");
    }

    @Test
    void anAddressThatFailsFiveTimesIsRateLimitedForEveryUser() throws Exception {
        book.createUser("alice", Books.PASSWORD, Set.of(Role.REQUESTOR));
        for (int i = 0; i < 5; i++) {
            refused(Reason.UNAUTHORIZED, () -> book.login("user" + books.now.incrementAndGet(), "some password", "192.0.2.7"));
        }
        refused(Reason.RATE_LIMITED, () -> book.login("alice", Books.PASSWORD, "192.0.2.7"));
        assertTrue(book.login("alice", Books.PASSWORD, "192.0.2.8").token().startsWith("daig_"), "another address may");
    }

    @Test
    void revokedTamperedAndForeignTokensAreRefused() throws Exception {
        Session s = book.user("alice", Role.REQUESTOR);
        String tampered = s.token().substring(0, s.token().length() - 1) + (s.token().endsWith("A") ? "B" : "A");
        assertEquals(Optional.empty(), book.verify(tampered));
        String otherId = s.token().replace(s.tokenId(), "0123456789abcdef");
        assertEquals(Optional.empty(), book.verify(otherId));
        assertEquals(Optional.empty(), book.verify("Bearer " + s.token()));
        assertEquals(Optional.empty(), book.verify(null));
        assertTrue(book.verify(s.token()).isPresent(), "the real one still works");

        assertTrue(book.logout(book.verify(s.token()).orElseThrow()));
        assertEquals(Optional.empty(), book.verify(s.token()), "revoked");
        assertFalse(book.logout(new Identity("alice", Set.of(), Scope.API, null, s.tokenId(), 0)), "already revoked");
    }

    @Test
    void disablingAUserRevokesEveryTokenAndEnablingDoesNotBringThemBack() throws Exception {
        Session first = book.user("alice", Role.VOLUNTEER);
        Session second = book.login("alice", Books.PASSWORD, "10.0.0.1");
        assertTrue(book.verify(first.token()).isPresent() && book.verify(second.token()).isPresent(), "both work (and were just checked)");
        book.setDisabled("alice", true);
        assertEquals(Optional.empty(), book.verify(first.token()));
        assertEquals(Optional.empty(), book.verify(second.token()));
        book.setDisabled("alice", false);
        assertEquals(Optional.empty(), book.verify(first.token()));
        assertTrue(book.verify(book.login("alice", Books.PASSWORD, "10.0.0.1").token()).isPresent());
        refused(Reason.NOT_FOUND, () -> book.setDisabled("nobody", true));
    }

    @Test
    void newRolesHoldForTheLiveSessionAtOnceAndTheLastAdminKeepsTheirs() throws Exception {
        Session alice = book.user("alice", Role.VOLUNTEER);
        assertEquals(Set.of(Role.VOLUNTEER), book.verify(alice.token()).orElseThrow().roles(), "checked, and the check remembered");
        UserView changed = book.setRoles("alice", Set.of(Role.REQUESTOR, Role.ADMIN));
        assertEquals(Set.of(Role.REQUESTOR, Role.ADMIN), changed.roles());
        assertEquals(Set.of(Role.REQUESTOR, Role.ADMIN), book.verify(alice.token()).orElseThrow().roles(), "the same session, new roles");

        // alice is now the only admin: taking it away would lock everyone out of the administration
        AccountException last = refused(Reason.CONFLICT, () -> book.setRoles("alice", Set.of(Role.REQUESTOR)));
        assertTrue(last.getMessage().contains("last enabled admin"), last.getMessage());
        assertEquals(Set.of(Role.REQUESTOR, Role.ADMIN), book.users().get(0).roles(), "nothing changed");
        book.user("bob", Role.ADMIN);
        assertEquals(Set.of(Role.REQUESTOR), book.setRoles("alice", Set.of(Role.REQUESTOR)).roles(), "bob is admin too");
        assertFalse(book.verify(alice.token()).orElseThrow().isAdmin());

        refused(Reason.INVALID, () -> book.setRoles("alice", Set.of()));
        refused(Reason.NOT_FOUND, () -> book.setRoles("nobody", Set.of(Role.VOLUNTEER)));
        assertEquals(Set.of(Role.REQUESTOR), book.users().get(0).roles());
    }

    @Test
    void aNewPasswordRevokesTheOldSessionsAndTheOldPasswordStopsWorking() throws Exception {
        Session s = book.user("alice", Role.REQUESTOR);
        assertTrue(book.verify(s.token()).isPresent(), "works (and was just checked)");
        book.setPassword("alice", "a brand new password");
        assertEquals(Optional.empty(), book.verify(s.token()));
        refused(Reason.UNAUTHORIZED, () -> book.login("alice", Books.PASSWORD, "10.0.0.1"));
        assertTrue(book.login("alice", "a brand new password", "10.0.0.1").token().startsWith("daig_"));
        refused(Reason.INVALID, () -> book.setPassword("alice", "short"));
        refused(Reason.NOT_FOUND, () -> book.setPassword("nobody", "a brand new password"));
    }

    @Test
    void aRevocationByAnotherCoordinatorCountsWithinASecondAndOneOfItsOwnAtOnce() throws Exception {
        Session s = book.user("alice", Role.REQUESTOR);
        Session bob = book.user("bob", Role.REQUESTOR);
        assertTrue(book.verify(s.token()).isPresent());
        assertTrue(book.verify(bob.token()).isPresent());
        try (Book other = books.open()) { // another coordinator on the same database
            assertEquals(1, other.revokeTokens("alice"));
            other.setRoles("bob", Set.of(Role.VOLUNTEER));
        }
        assertTrue(book.verify(s.token()).isPresent(), "within TokenBook.CHANGES_POLL_MS the earlier check stands");
        books.now.addAndGet(TokenBook.CHANGES_POLL_MS);
        assertEquals(Optional.empty(), book.verify(s.token()), "then the moved count of changes sends it to the database");
        assertEquals(Set.of(Role.VOLUNTEER), book.verify(bob.token()).orElseThrow().roles(), "and new roles count too");

        Session t = book.login("alice", Books.PASSWORD, "10.0.0.1");
        assertTrue(book.verify(t.token()).isPresent());
        String tampered = t.token().substring(0, t.token().length() - 1) + (t.token().endsWith("A") ? "B" : "A");
        assertEquals(Optional.empty(), book.verify(tampered), "a remembered check never stands for another secret");
        assertEquals(1, book.revokeTokens("alice"));
        assertEquals(Optional.empty(), book.verify(t.token()), "a revocation made here counts at once");
    }

    @Test
    void aRevocationWrittenByHandCountsWhenTheRememberedCheckExpires() throws Exception {
        Session s = book.user("alice", Role.REQUESTOR);
        assertTrue(book.verify(s.token()).isPresent());
        book.db.transaction(c -> { // beside the coordinator: SQL that does not count the change
            try (var st = c.prepareStatement("UPDATE tokens SET revoked_at = 1 WHERE token_id = ?")) {
                st.setString(1, s.tokenId());
                return st.executeUpdate();
            }
        });
        standsFor(TokenBook.RECHECK_MS, s, "the count did not move: the remembered check stands",
                "until TokenBook.RECHECK_MS after it was made");
    }

    @Test
    void aCheckNeedsNoQueryOfItsOwnButWithoutTheDatabaseItStandsNoLongerThanAPoll() throws Exception {
        Session s = book.user("alice", Role.REQUESTOR);
        assertTrue(book.verify(s.token()).isPresent());
        book.db.close(); // every query fails from now on
        standsFor(TokenBook.CHANGES_POLL_MS, s, "answered from memory: no query of its own", "the count cannot be read: refused, not trusted");
    }

    /** Asserts that the session's token, checked before, still verifies {@code millis} - 1 ms later and no longer at {@code millis}. */
    private void standsFor(long millis, Session s, String stands, String refused) {
        books.now.addAndGet(millis - 1);
        assertTrue(book.verify(s.token()).isPresent(), stands);
        books.now.addAndGet(1);
        assertEquals(Optional.empty(), book.verify(s.token()), refused);
    }

    @Test
    void revokeCountsTheLiveTokensOfAUser() throws Exception {
        book.user("alice", Role.REQUESTOR);
        book.login("alice", Books.PASSWORD, "10.0.0.1");
        assertEquals(2, book.revokeTokens("alice"));
        assertEquals(0, book.revokeTokens("alice"));
        refused(Reason.NOT_FOUND, () -> book.revokeTokens("nobody"));
    }

    @Test
    void badNamesPasswordsAndRolesAreRefusedNamingTheFieldAndNothingIsCreated() throws Exception {
        assertTrue(refused(Reason.INVALID, () -> book.createUser("", Books.PASSWORD, Set.of(Role.ADMIN))).getMessage().startsWith("user:"));
        refused(Reason.INVALID, () -> book.createUser("a".repeat(65), Books.PASSWORD, Set.of(Role.ADMIN)));
        refused(Reason.INVALID, () -> book.createUser("al ice", Books.PASSWORD, Set.of(Role.ADMIN)));
        refused(Reason.INVALID, () -> book.createUser("alice\r\nINFO forged", Books.PASSWORD, Set.of(Role.ADMIN)));
        refused(Reason.INVALID, () -> book.createUser(Names.SERVICE_USER, Books.PASSWORD, Set.of(Role.ADMIN)));
        assertTrue(refused(Reason.INVALID, () -> book.createUser("alice", "short", Set.of(Role.ADMIN))).getMessage().startsWith("password:"));
        refused(Reason.INVALID, () -> book.createUser("alice", "x".repeat(1025), Set.of(Role.ADMIN)));
        assertTrue(refused(Reason.INVALID, () -> book.createUser("alice", Books.PASSWORD, Set.of())).getMessage().startsWith("roles:"));
        assertTrue(refused(Reason.INVALID, () -> Names.roles(List.of("requestor", "root"))).getMessage().contains("'root'"));
        assertEquals(List.of(), book.users());
        UserView created = book.createUser("a.l-i_ce9", "x".repeat(1024), Set.of(Role.ADMIN));
        assertEquals("a.l-i_ce9", created.user());
        refused(Reason.CONFLICT, () -> book.createUser("a.l-i_ce9", Books.PASSWORD, Set.of(Role.REQUESTOR)));
        assertEquals(Set.of(Role.ADMIN), book.users().get(0).roles(), "the conflict changed nothing");
    }

    @Test
    void signUpIsClosedByDefaultAndWhenOpenCreatesVolunteersAtMostFivePerAddressAndHour() throws Exception {
        assertFalse(book.signUpOpen());
        refused(Reason.FORBIDDEN, () -> book.signUp("eve", Books.PASSWORD, "198.51.100.1"));
        assertEquals(List.of(), book.users());

        book.setSignUpOpen(true);
        Session s = book.signUp("vera", Books.PASSWORD, "198.51.100.1");
        assertEquals(Set.of(Role.VOLUNTEER), book.verify(s.token()).orElseThrow().roles());
        refused(Reason.CONFLICT, () -> book.signUp("vera", "another password", "198.51.100.1"));
        refused(Reason.INVALID, () -> book.signUp("bad name", Books.PASSWORD, "198.51.100.1"));
        for (int i = 0; i < 3; i++) {
            book.signUp("v" + i, Books.PASSWORD, "198.51.100.1");
        }
        refused(Reason.RATE_LIMITED, () -> book.signUp("v9", Books.PASSWORD, "198.51.100.1"));
        assertEquals(4, book.users().size(), "vera and v0..v2: the taken name counted as a try, the malformed one did not");
        book.signUp("w0", Books.PASSWORD, "198.51.100.2");
        books.now.addAndGet(3_600_000L);
        book.signUp("v9", Books.PASSWORD, "198.51.100.1");
    }

    @Test
    void accountsTokensAndTheSignUpSwitchSurviveARestart() throws Exception {
        Session s = book.user("alice", Role.ADMIN, Role.REQUESTOR);
        book.setSignUpOpen(true);
        assertEquals(AccountDatabase.MIGRATIONS.size(), book.db.schemaVersion());
        book.close();
        book = books.open();
        assertTrue(book.signUpOpen());
        assertEquals("alice", book.verify(s.token()).orElseThrow().user());
        assertTrue(book.verify(s.token()).orElseThrow().isAdmin());
    }
}
