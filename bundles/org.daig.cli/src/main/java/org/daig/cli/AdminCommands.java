package org.daig.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.daig.api.account.Role;
import org.daig.cli.Commands.AccountCommand;
import org.daig.requestor.AccountClient;
import org.daig.requestor.PrivateFiles;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The admin's commands: accounts, enrolment codes, sign-up and Mosquitto's files (an admin's login needed; exit 4 otherwise). */
final class AdminCommands {

    private AdminCommands() {
    }

    @Command(name = "admin", mixinStandardHelpOptions = true,
            description = { "The grid's accounts and broker files, for its admins.",
                    "Uses the saved login (daig login) or $DAIG_TOKEN; exits 4 for a non-admin." },
            subcommands = { Users.class, UserAdd.class, Disable.class, Enable.class, Passwd.class, Roles.class, Revoke.class, EnrolCode.class,
                    Signup.class, BrokerConfig.class, Volunteers.class })
    static final class Admin implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(),
                    "which one? users, useradd, disable, enable, passwd, roles, revoke, enrol-code, signup, broker-config or volunteers");
        }
    }

    @Command(name = "users", mixinStandardHelpOptions = true, description = "Lists the accounts.")
    static final class Users extends AccountCommand {
        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            PrintStream out = context.out();
            out.println(String.format("%-24s %-28s %-9s %-20s %s", "USER", "ROLES", "DISABLED", "CREATED", "LAST LOGIN"));
            for (AccountClient.User u : accounts.users()) {
                out.println(String.format(Locale.ROOT, "%-24s %-28s %-9s %-20s %s", u.user(), Commands.roles(u.roles()).replace(", ", ","),
                        u.disabled() ? "yes" : "no", SessionCommands.time(u.createdAt()),
                        u.lastLoginAt() == null ? "never" : SessionCommands.time(u.lastLoginAt())));
            }
            return 0;
        }
    }

    /** A command about one account. */
    abstract static class OneUser extends AccountCommand {
        @Parameters(index = "0", paramLabel = "USER", description = "the account's name")
        String user;
    }

    /** The --role values as role ids, or a usage error naming the wrong one. */
    static List<String> roleIds(CommandSpec spec, List<String> roles) {
        List<String> ids = new ArrayList<>();
        for (String role : roles.isEmpty() ? List.of(Role.REQUESTOR.id()) : roles) {
            ids.add(Role.parse(role).orElseThrow(() -> new ParameterException(spec.commandLine(),
                    "--role: '" + role + "' is not one of requestor, volunteer, admin")).id());
        }
        return ids;
    }

    @Command(name = "useradd", mixinStandardHelpOptions = true, sortOptions = false,
            description = { "Creates an account.",
                    "Its password comes from --password-file, else the terminal (asked twice).",
                    "Passwords have 12 to 1024 characters." })
    static final class UserAdd extends OneUser {
        @Option(names = "--role", paramLabel = "ROLE", split = ",",
                description = "requestor, volunteer or admin; repeat or separate with commas (default: requestor)")
        List<String> roles = new ArrayList<>();

        @Option(names = "--password-file", paramLabel = "FILE", description = "a file whose first line is the new password")
        Path passwordFile;

        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            AccountClient.requireName("USER", user);
            List<String> ids = roleIds(spec, roles);
            char[] password = Passwords.chosen(context, passwordFile, user);
            try {
                AccountClient.User created = accounts.addUser(user, password, ids);
                context.out().println("Created " + created.user() + " (roles: " + Commands.roles(created.roles()) + ").");
            } finally {
                Arrays.fill(password, '\0');
            }
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disables an account and revokes all its tokens.")
    static final class Disable extends OneUser {
        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            accounts.disable(user);
            context.out().println("Disabled " + user + "; every token of it is revoked.");
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables a disabled account again.")
    static final class Enable extends OneUser {
        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            accounts.enable(user);
            context.out().println("Enabled " + user + ".");
            return 0;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = { "Sets an account's password; its sessions end.",
                    "The password comes from --password-file, else the terminal (asked twice)." })
    static final class Passwd extends OneUser {
        @Option(names = "--password-file", paramLabel = "FILE", description = "a file whose first line is the new password")
        Path passwordFile;

        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            AccountClient.requireName("USER", user);
            char[] password = Passwords.chosen(context, passwordFile, user);
            try {
                accounts.setPassword(user, password);
            } finally {
                Arrays.fill(password, '\0');
            }
            context.out().println("Set a new password for " + user + "; its sessions are ended.");
            return 0;
        }
    }

    @Command(name = "roles", mixinStandardHelpOptions = true,
            description = { "Replaces an account's roles; its sessions carry the new ones at once.",
                    "The grid keeps at least one enabled admin." })
    static final class Roles extends OneUser {
        @Option(names = "--role", required = true, paramLabel = "ROLE", split = ",",
                description = "requestor, volunteer or admin; repeat or separate with commas")
        List<String> roles = new ArrayList<>();

        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            AccountClient.User changed = accounts.setRoles(user, roleIds(spec, roles));
            context.out().println("Roles of " + changed.user() + ": " + Commands.roles(changed.roles()) + ".");
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes every token of an account (sessions and devices).")
    static final class Revoke extends OneUser {
        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            int revoked = accounts.revoke(user);
            context.out().println("Revoked " + revoked + " token" + (revoked == 1 ? "" : "s") + " of " + user + ".");
            return 0;
        }
    }

    @Command(name = "volunteers", mixinStandardHelpOptions = true,
            description = { "Lists volunteer devices: results accepted, invalid results since their last reset, whether they are",
                    "banned (no more tasks) and their newest refused result; --reset lifts a device's ban." })
    static final class Volunteers extends AccountCommand {
        @Option(names = "--reset", paramLabel = "DEVICE", description = "forgive this device its invalid results so far")
        String reset;

        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            PrintStream out = context.out();
            if (reset != null) {
                boolean had = accounts.resetVolunteer(reset);
                out.println(had ? "Reset " + reset + ": it gets tasks again." : reset + " had no invalid results; nothing to lift.");
                return 0;
            }
            out.println(String.format("%-24s %-16s %9s %8s %-7s %s", "DEVICE", "ACCOUNT", "ACCEPTED", "INVALID", "BANNED", "LAST REFUSAL"));
            for (AccountClient.Volunteer v : accounts.volunteers()) {
                out.println(String.format(Locale.ROOT, "%-24s %-16s %9d %8d %-7s %s", v.providerId(), v.account() == null ? "-" : v.account(),
                        v.accepted(), v.invalid(), v.banned() ? "yes" : "no", v.lastVerdict() == null ? "-" : v.lastVerdict() + ": "
                        + v.lastReason()));
            }
            return 0;
        }
    }

    @Command(name = "enrol-code", mixinStandardHelpOptions = true, sortOptions = false,
            description = { "Makes an enrolment code for a volunteer's providers.",
                    "Providers enrolled with it belong to --user. Prints the code on the last line." })
    static final class EnrolCode extends AccountCommand {
        @Option(names = "--user", required = true, paramLabel = "NAME", description = "the volunteer's account the devices will belong to")
        String user;

        @Option(names = "--uses", paramLabel = "N", defaultValue = "1",
                description = "how many devices may enrol with it (default: ${DEFAULT-VALUE})")
        int uses;

        @Option(names = "--valid-hours", paramLabel = "H", defaultValue = "24", description = "how long it may be used (default: ${DEFAULT-VALUE})")
        int validHours;

        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            if (uses < 1 || validHours < 1) {
                throw new ParameterException(spec.commandLine(), (uses < 1 ? "--uses" : "--valid-hours") + " must be at least 1");
            }
            AccountClient.EnrolmentCode code = accounts.enrolmentCode(user, uses, validHours);
            context.out().println("Enrolment code for " + code.user() + ": " + code.uses() + " use" + (code.uses() == 1 ? "" : "s")
                    + ", valid until " + SessionCommands.time(code.expiresAt()) + ".");
            context.out().println("On the provider: put .enrolmentCode=CODE into config/org.daig.provider.cfg, or run");
            context.out().println("  daig enrol --coordinator " + accounts.coordinator() + " --code CODE");
            context.out().println(code.code());
            return 0;
        }
    }

    @Command(name = "signup", mixinStandardHelpOptions = true,
            description = { "Opens or closes sign-up for volunteers (closed by default).",
                    "Open: volunteers may create their own accounts." })
    static final class Signup extends AccountCommand {
        enum State { open, closed }

        @Parameters(index = "0", paramLabel = "open|closed", description = "open or closed")
        State state;

        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            accounts.setSignup(state == State.open);
            context.out().println("Sign-up is " + state + " on " + accounts.coordinator() + ".");
            return 0;
        }
    }

    @Command(name = "broker-config", mixinStandardHelpOptions = true,
            description = { "Writes Mosquitto's password and ACL files for the grid.",
                    "passwd (mode 0600) and acl (0644) go into --out; prints how to point",
                    "Mosquitto at them." })
    static final class BrokerConfig extends AccountCommand {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the folder to write passwd and acl into")
        Path out;

        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            AccountClient.BrokerConfig config = accounts.brokerConfig();
            if (config.passwordFile() == null || config.aclFile() == null) {
                throw new CliFailure("the coordinator at " + accounts.coordinator() + " sent no password or ACL file");
            }
            Path dir = out.toAbsolutePath();
            Path passwd = dir.resolve("passwd");
            Path acl = dir.resolve("acl");
            try {
                PrivateFiles.writeOwnerOnly(passwd, config.passwordFile());
                PrivateFiles.write(acl, config.aclFile(), PrivateFiles.READABLE);
            } catch (IOException e) {
                throw new CliFailure("--out: cannot write into " + dir + " (" + e.getMessage() + ")");
            }
            PrintStream o = context.out();
            o.println("Wrote " + passwd + " (0600) and " + acl + " (0644). In mosquitto.conf:");
            o.println("  allow_anonymous false");
            o.println("  password_file " + passwd);
            o.println("  acl_file " + acl);
            o.println("Mosquitto must be able to read them: if it runs as its own user, chown mosquitto " + passwd + ".");
            o.println("Then reload it (systemctl reload mosquitto, or kill -HUP its pid). Run this again after adding devices.");
            return 0;
        }
    }
}
