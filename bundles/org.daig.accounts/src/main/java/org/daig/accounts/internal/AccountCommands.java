package org.daig.accounts.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;

import org.daig.accounts.AccountAdmin;
import org.daig.accounts.AccountAdmin.BrokerFiles;
import org.daig.accounts.AccountAdmin.EnrolmentCode;
import org.daig.accounts.AccountAdmin.UserView;
import org.daig.accounts.AccountException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo: the operator's account commands ({@code daig:users}, {@code daig:useradd NAME ROLES},
 * {@code daig:userdisable}, {@code daig:userenable}, {@code daig:passwd}, {@code daig:userroles NAME ROLES}, {@code daig:revoke},
 * {@code daig:enrolcode}, {@code daig:signup}, {@code daig:brokerconfig}). Passwords are never
 * typed into the shell (its history would keep them): new ones are generated and shown once.
 */
@Component(service = AccountCommands.class, property = {
        "osgi.command.scope=daig",
        "osgi.command.function=users",
        "osgi.command.function=useradd",
        "osgi.command.function=userdisable",
        "osgi.command.function=userenable",
        "osgi.command.function=passwd",
        "osgi.command.function=userroles",
        "osgi.command.function=revoke",
        "osgi.command.function=enrolcode",
        "osgi.command.function=signup",
        "osgi.command.function=brokerconfig" })
public class AccountCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    @Reference
    private AccountAdmin accounts;

    private final Secrets secrets = new Secrets(new SecureRandom());

    /** One line per account: name, roles, state, created, last login. */
    public String users() {
        List<UserView> users = accounts.users();
        StringBuilder out = new StringBuilder(String.format("%-24s %-28s %-8s %-16s %s%n", "USER", "ROLES", "STATE", "CREATED", "LAST LOGIN"));
        for (UserView u : users) {
            out.append(String.format("%-24s %-28s %-8s %-16s %s%n", u.user(), AccountStore.encodeRoles(u.roles()),
                    u.disabled() ? "disabled" : "enabled", TIME.format(Instant.ofEpochMilli(u.createdAt())),
                    u.lastLoginAt() == null ? "-" : TIME.format(Instant.ofEpochMilli(u.lastLoginAt()))));
        }
        return out.append(users.size()).append(users.size() == 1 ? " user" : " users").toString();
    }

    /** Creates an account with roles (comma-separated: requestor, volunteer, admin) and a generated password, shown once. */
    public String useradd(String name, String roles) {
        String password = secrets.newPassword();
        return run(() -> {
            accounts.createUser(name, password, Names.roles(Arrays.asList(roles.split(","))));
            return "Created '" + name + "' with the password " + password + " (shown only now)";
        });
    }

    public String userdisable(String name) {
        return run(() -> {
            accounts.setDisabled(name, true);
            return "Disabled '" + name + "'; its tokens are revoked";
        });
    }

    public String userenable(String name) {
        return run(() -> {
            accounts.setDisabled(name, false);
            return "Enabled '" + name + "'";
        });
    }

    /** Sets a new generated password (shown once) and revokes the account's tokens. */
    public String passwd(String name) {
        String password = secrets.newPassword();
        return run(() -> {
            accounts.setPassword(name, password);
            return "New password of '" + name + "': " + password + " (shown only now); its tokens are revoked";
        });
    }

    /** Replaces an account's roles (comma-separated: requestor, volunteer, admin). */
    public String userroles(String name, String roles) {
        return run(() -> "Roles of '" + name + "': " + String.join(", ", accounts.setRoles(name, Names.roles(Arrays.asList(roles.split(","))))
                .roles().stream().sorted().map(r -> r.id()).toList()));
    }

    /** Revokes every token of an account (its sessions and devices). */
    public String revoke(String name) {
        return run(() -> accounts.revokeTokens(name) + " token(s) of '" + name + "' revoked");
    }

    /** A code that enrols one device for the account within 24 hours. */
    public String enrolcode(String user) {
        return enrolcode(user, 1, 24);
    }

    /** A code that enrols up to {@code uses} devices for the account within {@code hours}. */
    public String enrolcode(String user, int uses, int hours) {
        return run(() -> {
            EnrolmentCode code = accounts.createEnrolmentCode(user, uses, hours);
            return "Enrolment code for '" + user + "' (" + uses + " use(s), until " + TIME.format(Instant.ofEpochMilli(code.expiresAt()))
                    + "): " + code.code();
        });
    }

    /** Whether sign-up is open. */
    public String signup() {
        return "Sign-up is " + (accounts.signUpOpen() ? "open" : "closed");
    }

    /** Opens or closes sign-up ({@code open} or {@code closed}). */
    public String signup(String state) {
        if (!state.equals("open") && !state.equals("closed")) {
            return "Use daig:signup open or daig:signup closed";
        }
        accounts.setSignUpOpen(state.equals("open"));
        return signup();
    }

    /** Prints Mosquitto's password file and ACL file. */
    public String brokerconfig() {
        BrokerFiles files = accounts.brokerFiles();
        return "# --- password_file ---\n" + files.passwordFile() + "# --- acl_file ---\n" + files.aclFile();
    }

    /** Writes Mosquitto's files into {@code folder}: {@code passwords} (mode 0600) and {@code acl}. */
    public String brokerconfig(String folder) throws IOException {
        BrokerFiles files = accounts.brokerFiles();
        Path dir = Path.of(folder);
        Files.createDirectories(dir);
        SecretFiles.write(dir.resolve("passwords"), files.passwordFile());
        Files.writeString(dir.resolve("acl"), files.aclFile());
        return "Wrote " + dir.resolve("passwords").toAbsolutePath() + " and " + dir.resolve("acl").toAbsolutePath()
                + "; in mosquitto.conf: allow_anonymous false, password_file and acl_file pointing at them; then reload Mosquitto (SIGHUP)";
    }

    private interface Step {
        String run() throws AccountException;
    }

    private static String run(Step step) {
        try {
            return step.run();
        } catch (AccountException e) {
            return "Refused: " + e.getMessage();
        }
    }
}
