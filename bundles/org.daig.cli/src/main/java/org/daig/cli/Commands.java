package org.daig.cli;

import java.net.URI;

import org.daig.requestor.RequestorClient;
import org.daig.requestor.RequestorException;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What the commands share. */
final class Commands {

    static final String DEFAULT_COORDINATOR = "http://127.0.0.1:7700";

    private Commands() {
    }

    /** The context of the command tree a command belongs to. */
    static Context context(CommandSpec spec) {
        return ((Daig) spec.root().userObject()).context;
    }

    /** {@code --coordinator URL}: the requestor's commands speak to it. */
    static final class CoordinatorOption {

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        @Option(names = "--coordinator", paramLabel = "URL",
                description = "the coordinator's address (default: $DAIG_COORDINATOR, else " + DEFAULT_COORDINATOR + ")")
        String address;

        RequestorClient client() {
            String chosen = address != null ? address : context(mixee).env("DAIG_COORDINATOR", DEFAULT_COORDINATOR);
            try {
                return new RequestorClient(URI.create(chosen));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(mixee.commandLine(),
                        "--coordinator: '" + chosen + "' is not an address like http://host:7700");
            }
        }
    }

    /** A requestor command: its coordinator's failures become one message and exit status 1. */
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
                throw new CliFailure(e.unreachable()
                        ? "cannot reach the coordinator at " + coordinator.coordinator() + " (is it running? set --coordinator or DAIG_COORDINATOR)"
                        : e.getMessage());
            }
        }

        abstract int call(RequestorClient coordinator, Context context) throws Exception;
    }
}
