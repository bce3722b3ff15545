package org.daig.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.daig.requestor.AccountClient;
import org.daig.requestor.NotAuthenticatedException;
import org.daig.requestor.PrivateFiles;
import org.daig.requestor.RequestorClient;
import org.daig.requestor.RequestorException;
import org.daig.requestor.SavedLogin;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What the commands share. */
final class Commands {

    static final String DEFAULT_COORDINATOR = "http://127.0.0.1:7700";
    /** A token for scripts, instead of a saved login. */
    static final String TOKEN_VARIABLE = "DAIG_TOKEN";

    private Commands() {
    }

    /** The context of the command tree a command belongs to. */
    static Context context(CommandSpec spec) {
        return ((Daig) spec.root().userObject()).context;
    }

    /** The login {@code daig login} saved, if any; a damaged file is a failure naming it. */
    static Optional<SavedLogin> savedLogin(Context context) throws CliFailure {
        try {
            return SavedLogin.read(context.credentialsFile());
        } catch (IOException e) {
            throw new CliFailure(e.getMessage());
        }
    }

    /** The saved login, or none when there is none or it cannot be read (for choosing a default, and for login itself). */
    static Optional<SavedLogin> savedLoginIfReadable(Context context) {
        try {
            return SavedLogin.read(context.credentialsFile());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The token for {@code coordinator}: $DAIG_TOKEN, else the saved login's when it is for that
     * coordinator (a token never goes to another one), else none.
     */
    static String token(Context context, URI coordinator) throws CliFailure {
        String fromEnv = context.env(TOKEN_VARIABLE, null);
        if (fromEnv != null) {
            return fromEnv.strip();
        }
        Optional<SavedLogin> login = savedLogin(context).filter(saved -> saved.isFor(coordinator));
        if (login.isPresent()) {
            warnIfOthersCanRead(context);
        }
        return login.map(SavedLogin::token).orElse(null);
    }

    /** A saved login others can read is a leaked session: say so (it was written 0600; someone changed that). */
    private static void warnIfOthersCanRead(Context context) {
        Path file = context.credentialsFile();
        try {
            if (PrivateFiles.readableByOthers(file)) {
                context.err().println("daig: warning: other users can read " + file + ": run 'chmod 600 " + file
                        + "', and 'daig logout' then 'daig login' if it may have been read");
            }
        } catch (IOException e) {
            // gone meanwhile: nothing to warn about
        }
    }

    /** Roles as a person reads them. */
    static String roles(List<String> roles) {
        return roles == null || roles.isEmpty() ? "none" : String.join(", ", roles);
    }

    /** A coordinator's refusal as one line and its exit status: 3 not logged in, 4 not allowed, 1 otherwise. */
    static CliFailure failure(RequestorException e, URI coordinator, Context context) {
        if (e instanceof NotAuthenticatedException) {
            if (context.env(TOKEN_VARIABLE, null) != null) {
                return new CliFailure("the token in $" + TOKEN_VARIABLE + " was refused by " + coordinator
                        + " (expired or revoked): set a valid one, or unset it and run 'daig login --coordinator " + coordinator + "'",
                        Daig.NOT_LOGGED_IN);
            }
            return new CliFailure("not logged in to " + coordinator + " (or the session expired): run 'daig login --coordinator "
                    + coordinator + "'", Daig.NOT_LOGGED_IN);
        }
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof org.daig.trust.CertificateChangedException changed) {
                return new CliFailure(changed.getMessage()); // someone may pose as the coordinator: say so, not "unreachable"
            }
        }
        if (e.unreachable()) {
            return new CliFailure("cannot reach the coordinator at " + coordinator + " (is it running? set --coordinator or DAIG_COORDINATOR)");
        }
        return new CliFailure(e.getMessage(), e.status() == 403 ? Daig.NOT_ALLOWED : Daig.FAILED);
    }

    /** {@code --coordinator URL}: the commands that talk to a coordinator speak to it. */
    static final class CoordinatorOption {

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        @Option(names = "--coordinator", paramLabel = "URL",
                description = "the coordinator's address (default: $DAIG_COORDINATOR, else the one 'daig login' saved, else "
                        + DEFAULT_COORDINATOR + ")")
        String address;

        /** --coordinator, else $DAIG_COORDINATOR, else the saved login's, else the default. */
        URI coordinator() throws CliFailure {
            Context context = context(mixee);
            String chosen = address != null ? address
                    : context.env("DAIG_COORDINATOR", savedLoginIfReadable(context).map(SavedLogin::coordinator).orElse(DEFAULT_COORDINATOR));
            try {
                return new RequestorClient(URI.create(chosen)).coordinator(); // checks and normalises the address
            } catch (IllegalArgumentException e) {
                throw new ParameterException(mixee.commandLine(),
                        "--coordinator: '" + chosen + "' is not an address like http://host:7700");
            }
        }

        RequestorClient client() throws CliFailure {
            URI coordinator = coordinator();
            return new RequestorClient(coordinator, token(context(mixee), coordinator));
        }

        AccountClient accounts() throws CliFailure {
            URI coordinator = coordinator();
            return new AccountClient(coordinator, token(context(mixee), coordinator));
        }
    }

    /** A requestor command: its coordinator's failures become one message and an exit status (see {@link Daig}). */
    abstract static class RequestorCommand implements java.util.concurrent.Callable<Integer> {

        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        CoordinatorOption coordinatorOption;

        @Override
        public final Integer call() throws Exception {
            RequestorClient coordinator = coordinatorOption.client();
            try {
                return call(coordinator, context(spec));
            } catch (RequestorException e) {
                throw failure(e, coordinator.coordinator(), context(spec));
            }
        }

        abstract int call(RequestorClient coordinator, Context context) throws Exception;
    }

    /** A command on the coordinator's accounts, with the saved login's token (or $DAIG_TOKEN). */
    abstract static class AccountCommand implements java.util.concurrent.Callable<Integer> {

        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        CoordinatorOption coordinatorOption;

        @Override
        public final Integer call() throws Exception {
            AccountClient accounts = coordinatorOption.accounts();
            try {
                return call(accounts, context(spec));
            } catch (RequestorException e) {
                throw failure(e, accounts.coordinator(), context(spec));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage()); // a name or password the grid would refuse
            }
        }

        abstract int call(AccountClient accounts, Context context) throws Exception;
    }
}
