package org.daig.cli;

import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;

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
 * error (the message names the option and what it expects).
 * <p>
 * A new command (login, admin ...) is a class with {@code @Command} listed in {@code subcommands}
 * below; {@link Commands#context} gives it the streams and settings.
 */
@Command(name = "daig", mixinStandardHelpOptions = true, versionProvider = Daig.Version.class, sortOptions = false,
        description = "DAIG's command line: request training on a grid, and use the trainer on this machine.",
        commandListHeading = "%nCommands:%n",
        footer = { "", "The requestor's commands ask the coordinator at --coordinator URL,",
                "else $DAIG_COORDINATOR, else http://127.0.0.1:7700.", "'daig COMMAND --help' shows a command's options.",
                "Exit status: 0 done, 1 a problem with the input, 2 a usage error." },
        subcommands = { SubmitCommand.class, ProjectCommands.ListProjects.class, ProjectCommands.Status.class,
                ProjectCommands.Watch.class, ProjectCommands.Pause.class, ProjectCommands.Resume.class, ProjectCommands.Cancel.class,
                DownloadCommand.class, TrainerCommands.Model.class, TrainerCommands.TrainLocal.class, TrainerCommands.Data.class,
                CommandLine.HelpCommand.class })
public final class Daig implements Callable<Integer> {

    /** Usage errors: picocli's own code for them too. */
    static final int USAGE = 2;

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
        if (e instanceof CliFailure) {
            context.err().println("daig: " + e.getMessage());
        } else if (e instanceof RequestorException) {
            context.err().println("daig: " + e.getMessage());
        } else {
            context.err().println("daig: failed: " + e);
        }
        return 1;
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
