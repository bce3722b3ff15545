package org.daig.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.daig.cli.Commands.AccountCommand;
import org.daig.cli.Commands.CoordinatorOption;
import org.daig.requestor.AccountClient;
import org.daig.requestor.NotAuthenticatedException;
import org.daig.requestor.RequestorException;
import org.daig.requestor.SavedLogin;
import org.daig.trust.KnownCoordinators;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Logging in and out of a coordinator, and asking who one is there (docs/security.md, "Account endpoints"). */
final class SessionCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z").withZone(ZoneId.systemDefault());

    private SessionCommands() {
    }

    static String time(long epochMillis) {
        return epochMillis <= 0 ? "(no end)" : TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    @Command(name = "login", mixinStandardHelpOptions = true, sortOptions = false,
            description = { "Logs in to a coordinator and keeps the session for the next commands.",
                    "The password comes from --password-file, else $DAIG_PASSWORD, else the",
                    "terminal (not echoed). The session's token is saved, readable by you only, in",
                    "$XDG_CONFIG_HOME/daig/credentials.json (else ~/.config/daig/; on Windows",
                    "%APPDATA%\\daig) and sent only to that coordinator.",
                    "Exits 3 when the user or password is wrong." })
    static final class Login implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        CoordinatorOption coordinatorOption;

        @Option(names = "--user", paramLabel = "NAME", description = "the account (default: asked at the terminal)")
        String user;

        @Option(names = "--password-file", paramLabel = "FILE", description = "a file whose first line is the password")
        Path passwordFile;

        @Override
        public Integer call() throws Exception {
            Context context = Commands.context(spec);
            URI coordinator = coordinatorOption.coordinator();
            String name = Passwords.user(context, user);
            try {
                AccountClient.requireName("--user", name);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            Optional<SavedLogin> before = Commands.savedLoginIfReadable(context);
            char[] password = Passwords.existing(context, passwordFile, "Password for " + name + " at " + coordinator + ": ");
            AccountClient.Session session;
            try {
                session = new AccountClient(coordinator, null).login(name, password);
            } catch (NotAuthenticatedException e) {
                throw new CliFailure(e.getMessage(), Daig.NOT_LOGGED_IN);
            } catch (RequestorException e) {
                throw Commands.failure(e, coordinator, context);
            } finally {
                Arrays.fill(password, '\0');
            }
            Path file = context.credentialsFile();
            try {
                SavedLogin.of(coordinator, session).write(file);
            } catch (IOException e) {
                quietlyLogOut(coordinator, session.token());
                throw new CliFailure("logged in, but the login could not be saved in " + file + " (" + e.getMessage()
                        + "); the session was ended again");
            }
            // the session this one replaces would otherwise stay valid until it expires
            before.filter(old -> old.isFor(coordinator) && !old.token().equals(session.token()))
                    .ifPresent(old -> quietlyLogOut(coordinator, old.token()));
            context.out().println("Logged in to " + coordinator + " as " + (session.user() == null ? name : session.user()) + " (roles: "
                    + Commands.roles(session.roles()) + "); the session lasts until " + time(session.expiresAt()) + ".");
            context.out().println("Saved in " + file + " (readable by you only); 'daig logout' ends it.");
            if ("https".equalsIgnoreCase(coordinator.getScheme())) {
                Path pin = KnownCoordinators.pinFile(coordinator);
                context.out().println("Coordinator certificate (SHA-256): " + new org.daig.trust.PinnedTrust(pin, null).trusted().orElse("?")
                        + ", pinned in " + pin + "; compare it with the one your operator published.");
            }
            return 0;
        }
    }

    private static void quietlyLogOut(URI coordinator, String token) {
        try {
            new AccountClient(coordinator, token).logout();
        } catch (RequestorException ignored) {
            // best effort: it expires anyway
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true,
            description = { "Ends the saved session on its coordinator and forgets it here.",
                    "When the coordinator cannot be reached, the token is only forgotten here,",
                    "and it says so." })
    static final class Logout implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Context context = Commands.context(spec);
            Optional<SavedLogin> saved;
            try {
                saved = Commands.savedLogin(context);
            } catch (CliFailure damaged) {
                SavedLogin.delete(context.credentialsFile());
                context.out().println("The saved login could not be read (" + damaged.getMessage() + "); it is deleted.");
                return 0;
            }
            if (saved.isEmpty()) {
                context.out().println("Not logged in: nothing to forget.");
                return 0;
            }
            SavedLogin login = saved.get();
            String outcome;
            try {
                new AccountClient(URI.create(login.coordinator()), login.token()).logout();
                outcome = "Logged out of " + login.coordinator() + ": the session is ended there too.";
            } catch (NotAuthenticatedException e) {
                outcome = "Logged out of " + login.coordinator() + " (the session had ended there already).";
            } catch (RequestorException | IllegalArgumentException e) {
                outcome = (e instanceof RequestorException r && r.unreachable() ? "Could not reach " + login.coordinator()
                        : "The coordinator at " + login.coordinator() + " did not end the session (" + e.getMessage() + ")")
                        + ": the token was only forgotten locally. It stays valid there until " + time(login.expiresAt())
                        + " unless an admin revokes it (daig admin revoke " + login.user() + ").";
            }
            SavedLogin.delete(context.credentialsFile());
            context.out().println(outcome);
            return 0;
        }
    }

    @Command(name = "whoami", mixinStandardHelpOptions = true, description = "Shows the account, roles and session you are logged in with.")
    static final class WhoAmI extends AccountCommand {
        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            AccountClient.WhoAmI me = accounts.whoami();
            context.out().println(me.user() + " at " + accounts.coordinator());
            context.out().println("roles:   " + Commands.roles(me.roles()));
            if (me.device() != null) {
                context.out().println("device:  " + me.device());
            }
            context.out().println("token:   " + me.tokenId() + " (" + me.scope() + "), valid until " + time(me.expiresAt()));
            return 0;
        }
    }

    @Command(name = "credits", mixinStandardHelpOptions = true, description = {
            "Shows the credits your devices earned (an admin: every device's), per device and in all.",
            "1 credit = 10^12 floating-point operations of training in results the coordinator accepted." })
    static final class Credits extends AccountCommand {
        @Override
        int call(AccountClient accounts, Context context) throws Exception {
            List<AccountClient.Credit> credits = accounts.credits();
            if (credits.isEmpty()) {
                context.out().println("no credits yet: a device enrolled to your account earns them for each accepted result");
                return 0;
            }
            context.out().printf(Locale.ROOT, "%-24s %-16s %8s %14s%n", "DEVICE", "ACCOUNT", "TASKS", "CREDITS");
            for (AccountClient.Credit c : credits) {
                context.out().printf(Locale.ROOT, "%-24s %-16s %8d %14.4f%n", c.providerId(), c.account() == null ? "-" : c.account(),
                        c.tasks(), c.amount());
            }
            context.out().printf(Locale.ROOT, "%-24s %-16s %8d %14.4f%n", "total", "", credits.stream().mapToLong(AccountClient.Credit::tasks)
                    .sum(), credits.stream().mapToDouble(AccountClient.Credit::amount).sum());
            return 0;
        }
    }
}
