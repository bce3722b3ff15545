package org.daig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.daig.requestor.SavedLogin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** daig login, logout, whoami, and the saved session on the requestor's commands, against a stand-in coordinator. */
class SessionCommandsTest {

    static final String PASSWORD = "correct horse battery staple";
    static final String TOKEN = "daig_t1_0123456789abcdef0123456789abcdef";
    static final String SESSION = "{\"token\": \"" + TOKEN + "\", \"tokenId\": \"t1\", \"user\": \"alice\", \"roles\": [\"requestor\"],"
            + " \"expiresAt\": 4102444800000}";

    @TempDir
    Path tmp;
    private FakeCoordinator coordinator;
    private Map<String, String> env;

    @BeforeEach
    void start() throws IOException {
        coordinator = new FakeCoordinator();
        env = new HashMap<>(Map.of("XDG_CONFIG_HOME", tmp.resolve("config").toString()));
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private Path credentials() {
        return tmp.resolve("config/daig/credentials.json");
    }

    private Path passwordFile() throws IOException {
        return Files.writeString(tmp.resolve("pw"), PASSWORD + "\n");
    }

    private Run run(String... args) {
        return Run.with(env, null, args);
    }

    /** A login saved as daig login would have. */
    private void loggedIn() throws IOException {
        new SavedLogin(coordinator.url(), "alice", TOKEN, "t1", 4102444800000L).write(credentials());
    }

    private static void neverShowsSecrets(Run run) {
        assertFalse(run.out().contains(TOKEN) || run.err().contains(TOKEN), "the token is never printed: " + run);
        assertFalse(run.out().contains(PASSWORD) || run.err().contains(PASSWORD), "the password is never printed: " + run);
    }

    @Test
    void loginSavesTheSessionOwnerOnlyAndNeverPrintsThePasswordOrToken() throws Exception {
        coordinator.answer("POST /api/v1/login", 200, SESSION);

        Run run = run("login", "--coordinator", coordinator.url(), "--user", "alice", "--password-file", passwordFile().toString());

        assertEquals(0, run.status, run.toString());
        assertTrue(run.out().startsWith("Logged in to " + coordinator.url() + " as alice (roles: requestor)"), run.toString());
        neverShowsSecrets(run);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials())));
        SavedLogin saved = SavedLogin.read(credentials()).orElseThrow();
        assertEquals(TOKEN, saved.token());
        assertEquals(coordinator.url(), saved.coordinator());
        assertEquals("t1", saved.tokenId());
        assertEquals("{\"user\":\"alice\",\"password\":\"" + PASSWORD + "\"}", coordinator.last("POST /api/v1/login").body());
        assertNull(coordinator.last("POST /api/v1/login").authorization(), "a login sends no token");
    }

    @Test
    void thePasswordIsAskedWithoutEchoWhenThereIsNoFileOrVariable() {
        coordinator.answer("POST /api/v1/login", 200, SESSION);
        List<String> asked = new ArrayList<>();
        Context.Prompt terminal = new Context.Prompt() {
            @Override
            public String readLine(String question) {
                asked.add("line " + question);
                return "alice";
            }

            @Override
            public char[] readPassword(String question) {
                asked.add("secret " + question);
                return PASSWORD.toCharArray();
            }
        };

        Run run = Run.with(env, terminal, "login", "--coordinator", coordinator.url());

        assertEquals(0, run.status, run.toString());
        assertEquals(List.of("line User: ", "secret Password for alice at " + coordinator.url() + ": "), asked);
        neverShowsSecrets(run);
    }

    @Test
    void thePasswordMayComeFromTheEnvironment() {
        coordinator.answer("POST /api/v1/login", 200, SESSION);
        env.put("DAIG_PASSWORD", PASSWORD);

        Run run = run("login", "--coordinator", coordinator.url(), "--user", "alice");

        assertEquals(0, run.status, run.toString());
        assertTrue(coordinator.last("POST /api/v1/login").body().contains(PASSWORD));
    }

    @Test
    void thereIsNoPasswordOption() {
        Run run = run("login", "--coordinator", coordinator.url(), "--user", "alice", "--password", PASSWORD);

        assertEquals(Daig.USAGE, run.status, run.toString());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void withoutATerminalOrPasswordSourceNothingIsSent() {
        Run run = run("login", "--coordinator", coordinator.url(), "--user", "alice");

        assertEquals(1, run.status, run.toString());
        assertTrue(run.err().contains("no terminal to ask for the password: use --password-file FILE or set $DAIG_PASSWORD"), run.toString());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void aWrongPasswordExits3AndSavesNothing() throws Exception {
        coordinator.answer("POST /api/v1/login", 401, "{\"error\": \"wrong user or password\"}");

        Run run = run("login", "--coordinator", coordinator.url(), "--user", "alice", "--password-file", passwordFile().toString());

        assertEquals(Daig.NOT_LOGGED_IN, run.status, run.toString());
        assertEquals("daig: the coordinator at " + coordinator.url() + " refused the login: wrong user or password\n", run.err());
        assertFalse(Files.exists(credentials()));
        neverShowsSecrets(run);
    }

    @Test
    void whoamiShowsTheAccountWithTheSavedToken() throws Exception {
        loggedIn();
        coordinator.requireToken(TOKEN).answer("GET /api/v1/whoami", 200, "{\"user\": \"alice\", \"roles\": [\"requestor\", \"admin\"],"
                + " \"scope\": \"api\", \"device\": null, \"tokenId\": \"t1\", \"expiresAt\": 4102444800000}");

        Run run = run("whoami");

        assertEquals(0, run.status, run.toString());
        assertTrue(run.out().startsWith("alice at " + coordinator.url() + "\nroles:   requestor, admin\ntoken:   t1 (api), valid until "),
                run.toString());
        neverShowsSecrets(run);
    }

    @Test
    void logoutEndsTheSessionAndDeletesTheFile() throws Exception {
        loggedIn();
        coordinator.requireToken(TOKEN).answer("POST /api/v1/logout", 204, "");

        Run run = run("logout");

        assertEquals(0, run.status, run.toString());
        assertEquals("Logged out of " + coordinator.url() + ": the session is ended there too.\n", run.out());
        assertEquals("Bearer " + TOKEN, coordinator.last("POST /api/v1/logout").authorization());
        assertFalse(Files.exists(credentials()));
    }

    @Test
    void logoutOfflineForgetsTheTokenLocallyAndSaysSo() throws Exception {
        loggedIn();
        coordinator.close();

        Run run = run("logout");

        assertEquals(0, run.status, run.toString());
        assertTrue(run.out().startsWith("Could not reach " + coordinator.url() + ": the token was only forgotten locally."), run.toString());
        assertTrue(run.out().contains("daig admin revoke alice"), run.toString());
        assertFalse(Files.exists(credentials()));
    }

    @Test
    void requestorCommandsSendTheSavedTokenToItsCoordinatorWithoutBeingTold() throws Exception {
        loggedIn();
        coordinator.requireToken(TOKEN).answer("GET /api/v1/projects", 200, "[]");

        Run list = run("list");
        Run status = run("status", "p-9");

        assertEquals(0, list.status, list.toString());
        assertEquals(1, status.status, status.toString());
        assertEquals(List.of("GET /api/v1/projects", "GET /api/v1/projects/p-9"), coordinator.lines());
        assertTrue(coordinator.requests().stream().allMatch(r -> ("Bearer " + TOKEN).equals(r.authorization())), coordinator.requests()::toString);
    }

    @Test
    void notLoggedInIsOneClearLineAndExit3() {
        coordinator.requireToken(TOKEN);

        Run run = run("list", "--coordinator", coordinator.url());

        assertEquals(Daig.NOT_LOGGED_IN, run.status, run.toString());
        assertEquals("daig: not logged in to " + coordinator.url() + " (or the session expired): run 'daig login --coordinator "
                + coordinator.url() + "'\n", run.err());
        assertEquals("", run.out());
    }

    @Test
    void theSavedTokenNeverGoesToAnotherCoordinator() throws Exception {
        loggedIn();
        try (FakeCoordinator other = new FakeCoordinator()) {
            other.answer("GET /api/v1/projects", 200, "[]");

            Run run = run("list", "--coordinator", other.url());

            assertEquals(0, run.status, run.toString());
            assertNull(other.last("GET /api/v1/projects").authorization(), "the token is only for " + coordinator.url());
        }
    }

    @Test
    void scriptsGiveTheTokenInTheEnvironment() {
        coordinator.requireToken(TOKEN).answer("GET /api/v1/projects", 200, "[]");
        env.put("DAIG_TOKEN", TOKEN);

        assertEquals(0, run("list", "--coordinator", coordinator.url()).status);

        env.put("DAIG_TOKEN", "daig_old_revoked");
        Run refused = run("list", "--coordinator", coordinator.url());
        assertEquals(Daig.NOT_LOGGED_IN, refused.status, refused.toString());
        assertTrue(refused.err().startsWith("daig: the token in $DAIG_TOKEN was refused by " + coordinator.url()), refused.toString());
        assertFalse(refused.err().contains("daig_old_revoked"), "the token is never printed: " + refused);
    }

    @Test
    void aDamagedSavedLoginIsNamedAndALoginReplacesIt() throws Exception {
        Files.createDirectories(credentials().getParent());
        Files.writeString(credentials(), "{not json");
        coordinator.answer("POST /api/v1/login", 200, SESSION);

        Run list = run("list", "--coordinator", coordinator.url());
        Run login = run("login", "--coordinator", coordinator.url(), "--user", "alice", "--password-file", passwordFile().toString());

        assertEquals(1, list.status, list.toString());
        assertTrue(list.err().contains(credentials() + " is not a saved DAIG login"), list.toString());
        assertEquals(0, login.status, login.toString());
        assertEquals(TOKEN, SavedLogin.read(credentials()).orElseThrow().token());
    }

    @Test
    void aSavedLoginOthersCanReadIsWarnedAbout() throws Exception {
        loggedIn();
        Files.setPosixFilePermissions(credentials(), PosixFilePermissions.fromString("rw-r--r--"));
        coordinator.answer("GET /api/v1/projects", 200, "[]");

        Run run = run("list");

        assertEquals(0, run.status, run.toString());
        assertTrue(run.err().startsWith("daig: warning: other users can read " + credentials()), run.toString());
    }

    @Test
    void forbiddenExits4WithTheCoordinatorsWords() throws Exception {
        loggedIn();
        coordinator.answer("POST /api/v1/projects/p-1/cancel", 403, "{\"error\": \"not your project\"}");

        Run run = run("cancel", "p-1");

        assertEquals(Daig.NOT_ALLOWED, run.status, run.toString());
        assertTrue(run.err().contains("403: not your project (this account may not do that)"), run.toString());
    }
}
