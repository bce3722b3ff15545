package org.daig.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

import org.daig.cli.Commands.CoordinatorOption;
import org.daig.requestor.ExpertsClient;
import org.daig.requestor.ExpertsClient.Group;
import org.daig.requestor.ExpertsClient.Project;
import org.daig.requestor.RequestorException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Experts projects on the grid (docs/experts.md, "Experts projects on the grid"): the coordinator
 * hands the hosting of the experts to volunteers; the requestor creates the project, trains through
 * it ({@code daig experts train --project}), follows it and downloads the whole model.
 */
final class ExpertsProjectCommands {

    private ExpertsProjectCommands() {
    }

    /** A command on the coordinator's experts projects, with the saved login's token (or $DAIG_TOKEN). */
    abstract static class ProjectCommand implements java.util.concurrent.Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        CoordinatorOption coordinatorOption;

        @Override
        public final Integer call() throws Exception {
            Context context = Commands.context(spec);
            URI coordinator = coordinatorOption.coordinator();
            try {
                return call(new ExpertsClient(coordinator, Commands.token(context, coordinator)), context);
            } catch (RequestorException e) {
                throw Commands.failure(e, coordinator, context);
            }
        }

        abstract int call(ExpertsClient experts, Context context) throws Exception;
    }

    static void print(Context context, Project p) {
        context.out().printf(Locale.ROOT, "%s  %s  %s  grid %s %s, experts %d -> %d -> %d, %d groups%n", p.id(), p.state(), p.name(),
                p.spec().prefix(), p.spec().grid(), p.spec().width(), p.spec().hidden(), p.spec().width(), p.groups().size());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = { "Creates an experts project: volunteers host its experts, your machine trains through them.",
                    "Then: daig experts train --project ID ...; daig experts download ID --out model.zip" })
    static final class Create extends ProjectCommand {
        @Option(names = "--name", required = true, description = "a name for people")
        String name;

        @Option(names = "--grid", defaultValue = "4x4", description = "the experts' grid (default 4x4)")
        String grid;

        @Option(names = "--prefix", defaultValue = "ffn", description = "the experts' uid prefix (default ffn)")
        String prefix;

        @Option(names = "--width", defaultValue = "128", description = "the mixture's width: each expert's inputs and outputs (default 128)")
        int width;

        @Option(names = "--hidden", defaultValue = "128", description = "each expert's hidden layer (default 128)")
        int hidden;

        @Option(names = "--hosts", defaultValue = "4", description = "how many volunteers share the cells (default 4)")
        int hosts;

        @Option(names = "--optimizer", description = "the experts' optimizer: adam, sgd or momentum (default momentum)")
        String optimizer;

        @Option(names = "--lr", description = "the experts' learning rate (default 0.05)")
        Double lr;

        @Option(names = "--k", description = "experts per sample (default 4)")
        Integer k;

        @Option(names = "--k-min", description = "answers a trainer waits for per sample (default k/2)")
        Integer kMin;

        @Override
        int call(ExpertsClient experts, Context context) throws Exception {
            Project p = experts.create(new ExpertsClient.Settings(name, prefix, grid, width, hidden, hosts, optimizer, lr, null, k, kMin));
            print(context, p);
            context.out().println("Next: daig experts train --project " + p.id() + " --x X.npy --y Y.npy --save model.zip");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows your experts projects, or one with its groups and hosts.")
    static final class Status extends ProjectCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "one project")
        String id;

        @Override
        int call(ExpertsClient experts, Context context) throws Exception {
            if (id == null) {
                for (Project p : experts.list()) {
                    print(context, p);
                }
                return 0;
            }
            Project p = experts.get(id);
            print(context, p);
            context.out().println("DHT: " + p.bootstrap() + (p.relay() == null ? "" : ", relay " + p.relay()) + ", trainer's file: "
                    + (p.trainerAt() == null ? "none yet" : SessionCommands.time(p.trainerAt())));
            for (Group g : p.groups()) {
                context.out().printf(Locale.ROOT, "  group %d  %s..%s (%d cells)  %s  checkpoint %s%n", g.group(), g.firstCell(), g.lastCell(),
                        g.cells(), g.hosted() ? "hosted by " + g.host() : "waiting for a host",
                        g.checkpointAt() == null ? "none yet" : SessionCommands.time(g.checkpointAt()));
            }
            return 0;
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = { "Downloads the whole model: the trainer's layers and each expert's newest checkpoint.",
                    "daig model predict and daig model evaluate run it." })
    static final class Download extends ProjectCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the project")
        String id;

        @Option(names = "--out", required = true, paramLabel = "MODEL.zip", description = "where to write it")
        Path out;

        @Override
        int call(ExpertsClient experts, Context context) throws Exception {
            context.out().println("Saved " + experts.download(id, out));
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Ends an experts project: its hosts stop; it stays downloadable.")
    static final class Cancel extends ProjectCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the project")
        String id;

        @Override
        int call(ExpertsClient experts, Context context) throws Exception {
            print(context, experts.cancel(id));
            return 0;
        }
    }
}
