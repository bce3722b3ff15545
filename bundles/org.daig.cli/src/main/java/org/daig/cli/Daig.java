package org.daig.cli;

import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;

import org.daig.requestor.NotAuthenticatedException;
import org.daig.requestor.RequestorException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code daig} command line: the requestor's commands against a coordinator (submit, list,
 * status, watch, pause, resume, cancel, download), which need no Deeplearning4j, and the
 * trainer's (model, train-local, data), which it checks and then runs in a trainer JVM.
 * <p>
 * Exit status: 0 done, 1 a problem with the input or the coordinator (one message), 2 a usage
 * error (the message names the option and what it expects), 3 not logged in (no session, an
 * expired or revoked one, a wrong password, a refused enrolment), 4 the account may not do that (403).
 * <p>
 * A new command is a class with {@code @Command} listed in {@code subcommands} below;
 * {@link Commands#context} gives it the streams and settings.
 */
@Command(name = "daig", mixinStandardHelpOptions = true, versionProvider = Daig.Version.class, sortOptions = false,
        description = "DAIG's command line: request training on a grid, and use the trainer on this machine.",
        commandListHeading = "%nCommands:%n",
        footer = { "", "The requestor's commands ask the coordinator at --coordinator URL,",
                "else $DAIG_COORDINATOR, else the one 'daig login' saved, else",
                "http://127.0.0.1:7700, with the saved login's token ($DAIG_TOKEN for scripts).",
                "'daig COMMAND --help' shows a command's options.",
                "Exit status: 0 done, 1 a problem with the input or the coordinator,",
                "2 a usage error, 3 not logged in (or the session expired, or a password",
                "or enrolment code was refused), 4 the account may not do that." },
        subcommands = { SessionCommands.Login.class, SessionCommands.Logout.class, SessionCommands.WhoAmI.class, SessionCommands.Credits.class,
                SubmitCommand.class, ProjectCommands.ListProjects.class, ProjectCommands.Status.class, ProjectCommands.Watch.class,
                ProjectCommands.Pause.class, ProjectCommands.Resume.class, ProjectCommands.Cancel.class, DownloadCommand.class, EnrolCommand.class,
                AdminCommands.Admin.class, TrainerCommands.Model.class, TrainerCommands.TrainLocal.class, TrainerCommands.Data.class,
                ExpertsCommands.Experts.class,
                CommandLine.HelpCommand.class })
public final class Daig implements Callable<Integer> {

    /** A problem with the input or the coordinator. */
    static final int FAILED = 1;
    /** Usage errors: picocli's own code for them too. */
    static final int USAGE = 2;
    /** Not logged in to the coordinator, or the session expired or was revoked, or a login or enrolment was refused. */
    static final int NOT_LOGGED_IN = 3;
    /** The coordinator does not let this account do that (403). */
    static final int NOT_ALLOWED = 4;

    final Context context;

    @Spec
    CommandSpec spec;

    Daig(Context context) {
        this.context = context;
    }

    public static void main(String[] args) {
        System.exit(run(Context.system(), args));
    }

    static int run(Context context, String... args) {
        return commandLine(context).execute(args);
    }

    /** The whole command tree, wired to the context's streams (also what the completion script is made from). */
    static CommandLine commandLine(Context context) {
        CommandLine line = new CommandLine(new Daig(context));
        line.setOut(new PrintWriter(context.out(), true));
        line.setErr(new PrintWriter(context.err(), true));
        line.setParameterExceptionHandler(Daig::usageError);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> failure(context, e));
        return line;
    }

    /** {@code daig} alone: what it can do. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** "daig submit: --epochs: 'x' is not a whole number (e.g. --epochs 5)", and where to read more. */
    static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        String badValue = badValue(e);
        if (badValue != null) {
            err.println(name + ": " + badValue);
            err.println("Try '" + name + " --help' for its options.");
            return USAGE;
        }
        err.println(name + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        cmd.usage(err);
        return USAGE;
    }

    /** A value the option's type cannot take, said in the option's terms; null for other usage errors. */
    private static String badValue(ParameterException e) {
        ArgSpec arg = e.getArgSpec();
        String value = e.getValue();
        if (!(arg instanceof OptionSpec option) || value == null || e.getMessage() == null
                || !e.getMessage().startsWith("Invalid value")) {
            return null;
        }
        Class<?> type = option.isMultiValue() && option.auxiliaryTypes().length > 0 ? option.auxiliaryTypes()[0] : option.type();
        String opt = option.longestName();
        if (Set.of(int.class, Integer.class, long.class, Long.class).contains(type)) {
            return opt + ": '" + value + "' is not a whole number (e.g. " + opt + " 5)";
        }
        if (Set.of(double.class, Double.class).contains(type)) {
            return opt + ": '" + value + "' is not a number (e.g. " + opt + " 0.1)";
        }
        if (type.isEnum()) {
            StringBuilder choices = new StringBuilder();
            for (Object constant : type.getEnumConstants()) {
                choices.append(choices.length() == 0 ? "" : ", ").append(constant);
            }
            return opt + ": '" + value + "' is not one of " + choices;
        }
        return opt + ": '" + value + "' is not valid here (" + e.getMessage() + ")";
    }

    /** Problems while running: one line, no stack trace. */
    private static int failure(Context context, Exception e) {
        if (e instanceof CliFailure f) {
            context.err().println("daig: " + f.getMessage());
            return f.status();
        }
        if (e instanceof RequestorException r) {
            context.err().println("daig: " + r.getMessage());
            return r instanceof NotAuthenticatedException ? NOT_LOGGED_IN : r.status() == 403 ? NOT_ALLOWED : FAILED;
        }
        context.err().println("daig: failed: " + e);
        return FAILED;
    }

    /** The jar's Implementation-Version (none when run from classes, as in the tests). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Daig.class.getPackage().getImplementationVersion();
            return new String[] { "daig " + (version == null ? "(development build)" : version) };
        }
    }
}
