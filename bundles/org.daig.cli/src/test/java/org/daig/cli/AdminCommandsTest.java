package org.daig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.daig.requestor.SavedLogin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** daig admin ...: each command's request as the contract in docs/security.md says, with the admin's token. */
class AdminCommandsTest {

    private static final String TOKEN = SessionCommandsTest.TOKEN;

    @TempDir
    Path tmp;
    private FakeCoordinator coordinator;
    private Map<String, String> env;

    @BeforeEach
    void start() throws IOException {
        coordinator = new FakeCoordinator().requireToken(TOKEN);
        env = Map.of("XDG_CONFIG_HOME", tmp.resolve("config").toString());
        new SavedLogin(coordinator.url(), "root", TOKEN, "t1", 4102444800000L).write(tmp.resolve("config/daig/credentials.json"));
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private Run run(String... args) {
        return Run.with(env, null, args);
    }

    private Path password(String text) throws IOException {
        return Files.writeString(tmp.resolve("new-password"), text + "\n");
    }

    @Test
    void usersAreListed() {
        coordinator.answer("GET /api/v1/admin/users", 200, "[{\"user\": \"alice\", \"roles\": [\"requestor\", \"admin\"], \"disabled\": false,"
                + " \"createdAt\": 1700000000000, \"lastLoginAt\": null}, {\"user\": \"vol\", \"roles\": [\"volunteer\"], \"disabled\": true,"
                + " \"createdAt\": 1700000000000, \"lastLoginAt\": 1700000001000}]");

        Run run = run("admin", "users");

        assertEquals(0, run.status, run.toString());
        String[] lines = run.out().split("\n");
        assertTrue(lines[0].startsWith("USER"), run.toString());
        assertTrue(lines[1].startsWith("alice") && lines[1].contains("requestor,admin") && lines[1].endsWith("never"), run.toString());
        assertTrue(lines[2].startsWith("vol") && lines[2].contains(" yes "), run.toString());
    }

    @Test
    void useraddSendsTheNameRolesAndPasswordFromItsFile() throws Exception {
        coordinator.answer("POST /api/v1/admin/users", 201, "{\"user\": \"bob\", \"roles\": [\"requestor\", \"volunteer\"],"
                + " \"disabled\": false, \"createdAt\": 1}");

        Run run = run("admin", "useradd", "bob", "--role", "requestor,volunteer", "--password-file", password("a long enough password").toString());

        assertEquals(0, run.status, run.toString());
        assertEquals("Created bob (roles: requestor, volunteer).\n", run.out());
        assertEquals("{\"user\":\"bob\",\"password\":\"a long enough password\",\"roles\":[\"requestor\",\"volunteer\"]}",
                coordinator.last("POST /api/v1/admin/users").body());
        assertEquals("Bearer " + TOKEN, coordinator.last("POST /api/v1/admin/users").authorization());
        assertTrue(!run.out().contains("a long enough password") && !run.err().contains("a long enough password"));
    }

    @Test
    void aShortPasswordOrAnUnknownRoleSendsNothing() throws Exception {
        Run shortOne = run("admin", "useradd", "bob", "--password-file", password("short").toString());
        Run badRole = run("admin", "useradd", "bob", "--role", "root", "--password-file", password("a long enough password").toString());

        assertEquals(1, shortOne.status, shortOne.toString());
        assertTrue(shortOne.err().contains("password: it has 5 characters; use 12 to 1024; nothing was changed"), shortOne.toString());
        assertEquals(Daig.USAGE, badRole.status, badRole.toString());
        assertTrue(badRole.err().contains("--role: 'root' is not one of requestor, volunteer, admin"), badRole.toString());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void rolesReplacesAnAccountsRolesAndTheLastAdminsRefusalReachesTheUser() throws Exception {
        coordinator.answer("POST /api/v1/admin/users/bob/roles", 200, "{\"user\": \"bob\", \"roles\": [\"admin\", \"volunteer\"],"
                + " \"disabled\": false, \"createdAt\": 1}");
        Run run = run("admin", "roles", "bob", "--role", "volunteer", "--role", "admin");
        assertEquals(0, run.status, run.toString());
        assertEquals("Roles of bob: admin, volunteer.\n", run.out());
        assertEquals("{\"roles\":[\"volunteer\",\"admin\"]}", coordinator.last("POST /api/v1/admin/users/bob/roles").body());

        coordinator.answer("POST /api/v1/admin/users/alice/roles", 409,
                "{\"error\": \"roles: 'alice' is the last enabled admin; make another admin first\"}");
        Run last = run("admin", "roles", "alice", "--role", "requestor");
        assertEquals(1, last.status, last.toString());
        assertTrue(last.err().contains("'alice' is the last enabled admin"), last.toString());
        Run bad = run("admin", "roles", "bob", "--role", "root");
        assertEquals(Daig.USAGE, bad.status, bad.toString());
        assertEquals(2, coordinator.requests().size(), "nothing sent for an unknown role");
    }

    @Test
    void disableEnablePasswdRevokeSignupGoWhereTheContractSays() throws Exception {
        coordinator.answer("POST /api/v1/admin/users/bob/disable", 204, "").answer("POST /api/v1/admin/users/bob/enable", 204, "")
                .answer("POST /api/v1/admin/users/bob/password", 204, "").answer("POST /api/v1/admin/users/bob/revoke", 200, "{\"revoked\": 2}")
                .answer("POST /api/v1/admin/signup", 204, "");

        assertEquals("Disabled bob; every token of it is revoked.\n", run("admin", "disable", "bob").out());
        assertEquals("Enabled bob.\n", run("admin", "enable", "bob").out());
        assertEquals(0, run("admin", "passwd", "bob", "--password-file", password("another long password").toString()).status);
        assertEquals("Revoked 2 tokens of bob.\n", run("admin", "revoke", "bob").out());
        assertEquals("Sign-up is open on " + coordinator.url() + ".\n", run("admin", "signup", "open").out());
        assertEquals(0, run("admin", "signup", "closed").status);

        assertEquals(List.of("POST /api/v1/admin/users/bob/disable", "POST /api/v1/admin/users/bob/enable",
                "POST /api/v1/admin/users/bob/password", "POST /api/v1/admin/users/bob/revoke", "POST /api/v1/admin/signup",
                "POST /api/v1/admin/signup"), coordinator.lines());
        assertEquals("{\"password\":\"another long password\"}", coordinator.last("POST /api/v1/admin/users/bob/password").body());
        assertEquals("{\"open\":false}", coordinator.last("POST /api/v1/admin/signup").body());
    }

    @Test
    void aNameThatIsNoNameIsAUsageErrorAndSendsNothing() {
        Run run = run("admin", "disable", "../../projects");

        assertEquals(Daig.USAGE, run.status, run.toString());
        assertTrue(run.err().contains("'../../projects' is not a name"), run.toString());
        assertEquals(List.of(), coordinator.requests());
    }

    @Test
    void enrolCodePrintsTheCodeLastAndHowToUseIt() {
        coordinator.answer("POST /api/v1/admin/enrolment-codes", 201, "{\"code\": \"ENROL-1234\", \"user\": \"vol\", \"uses\": 3,"
                + " \"expiresAt\": 4102444800000}");

        Run run = run("admin", "enrol-code", "--user", "vol", "--uses", "3", "--valid-hours", "48");

        assertEquals(0, run.status, run.toString());
        assertTrue(run.out().endsWith("\nENROL-1234\n"), run.toString());
        assertTrue(run.out().contains("daig enrol --coordinator " + coordinator.url() + " --code CODE"), run.toString());
        assertEquals("{\"user\":\"vol\",\"uses\":3,\"validHours\":48}", coordinator.last("POST /api/v1/admin/enrolment-codes").body());
    }

    @Test
    void brokerConfigWritesThePasswordFileOwnerOnlyAndTheAclReadable() throws Exception {
        coordinator.answer("GET /api/v1/admin/broker-config", 200,
                "{\"passwordFile\": \"provider-a:$7$101$salt$hash\\n\", \"aclFile\": \"pattern write daig/v1/providers/%u/#\\n\"}");
        Path out = tmp.resolve("mosquitto");

        Run run = run("admin", "broker-config", "--out", out.toString());

        assertEquals(0, run.status, run.toString());
        assertEquals("provider-a:$7$101$salt$hash\n", Files.readString(out.resolve("passwd")));
        assertEquals("pattern write daig/v1/providers/%u/#\n", Files.readString(out.resolve("acl")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("passwd"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("acl"))));
        assertTrue(run.out().contains("password_file " + out.toAbsolutePath().resolve("passwd")), run.toString());
        assertTrue(run.out().contains("acl_file " + out.toAbsolutePath().resolve("acl")), run.toString());
    }

    @Test
    void aNonAdminGetsExit4() {
        coordinator.answer("GET /api/v1/admin/users", 403, "{\"error\": \"admins only\"}");

        Run run = run("admin", "users");

        assertEquals(Daig.NOT_ALLOWED, run.status, run.toString());
        assertTrue(run.err().contains("admins only"), run.toString());
    }
}
