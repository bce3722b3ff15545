package org.daig.cli;

import java.nio.file.Path;
import java.util.List;

import org.daig.api.project.Problem;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectView;
import org.daig.cli.Commands.RequestorCommand;
import org.daig.requestor.ProjectRefusedException;
import org.daig.requestor.RequestorClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Submits a project: a Keras model and its data, trained on the grid in rounds of K tasks.",
                "Everything is checked here first (the settings, and the model and data by a trainer worker);",
                "nothing is uploaded while a problem remains. Prints the project's id on the last line." })
final class SubmitCommand extends RequestorCommand {

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "the Keras model to train: .keras, or .h5 from Keras 2 or 3")
    Path model;

    @Option(names = "--x", required = true, paramLabel = "X.npy", description = "the features, one row per sample (.npy or .npz)")
    Path x;

    @Option(names = "--y", required = true, paramLabel = "Y.npy", description = "the labels: class ids or one-hot rows (.npy or .npz)")
    Path y;

    @Option(names = "--epochs", required = true, paramLabel = "N", description = "local epochs per task")
    int epochs;

    @Option(names = "--batch", required = true, paramLabel = "B", description = "batch size")
    int batch;

    @Option(names = "--tasks", required = true, paramLabel = "T", description = "tasks (shards) the training data is cut into")
    int tasks;

    @Option(names = "--k", required = true, paramLabel = "K", description = "tasks per round: a round merges K results into a new version")
    int k;

    @Option(names = "--contributors", paramLabel = "C", description = "most providers at once (default: K)")
    Integer contributors;

    @Option(names = "--validation", paramLabel = "RATE", defaultValue = "0.1",
            description = "fraction of the rows kept for validation (default: ${DEFAULT-VALUE})")
    double validation;

    @Option(names = "--passes", paramLabel = "P", defaultValue = "1", description = "passes over all tasks (default: ${DEFAULT-VALUE})")
    int passes;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--name", paramLabel = "NAME", description = "the project's name (default: the model's file name)")
    String name;

    @Option(names = "--strategy", paramLabel = "STRATEGY", defaultValue = ProjectSpec.KBATCH_SYNC,
            description = { "how results are merged (default: ${DEFAULT-VALUE}), optionally with a robust rule after a slash:",
                "kbatch-sync/median, /trimmed-mean:beta=0.2, /centered-clip:tau=T, /krum:f=1, /multi-krum:f=1,m=3;",
                "each also takes clip=C or clip=off (docs/robustness.md). Asynchronous: async-apply (each update applied",
                "as it comes), async-queue (answered first, applied from a queue) or async-lockfree (answered first,",
                "the waiting updates added together by several threads); docs/strategies.md" })
    String strategy;

    @Option(names = "--compression", paramLabel = "C", defaultValue = "none",
            description = { "how volunteers encode their updates (default: ${DEFAULT-VALUE}): none, fp16, int8[:block]",
                "(blockwise, default block 4096) or topk[:fraction] (the largest values only, default 0.001, with error feedback);",
                "docs/strategies.md" })
    String compression;

    @Option(names = "--max-staleness", paramLabel = "S",
            description = "asynchronous strategies: how many versions an update may lag behind and still count (default: "
                    + ProjectSpec.DEFAULT_MAX_STALENESS + ")")
    Integer maxStaleness;

    @Mixin
    CompileOptions compile;

    @Override
    int call(RequestorClient coordinator, Context context) throws Exception {
        ProjectSpec settings = new ProjectSpec(name != null ? name : model.getFileName().toString(), null, null, null, epochs, batch,
                tasks, k, contributors != null ? contributors : k, validation, passes, strategy, seed, compile.loss, compile.optimizer,
                compile.lr, compression, maxStaleness);
        List<String> problems = Preflight.problems(settings, model, x, y, context.launcher(), context.trainerHeap());
        if (!problems.isEmpty()) {
            context.err().println("daig: the project is not submitted; nothing was uploaded. Fix these first:");
            problems.forEach(p -> context.err().println("  - " + p));
            return 1;
        }
        UploadProgress progress = new UploadProgress(context.out(), context.terminal());
        ProjectView view;
        try {
            view = coordinator.submit(settings, model, x, y, progress, null).project();
        } catch (ProjectRefusedException e) {
            progress.end(); // the problems start on a line of their own
            context.err().println("daig: the coordinator refused the project:");
            for (Problem p : e.problems()) {
                context.err().println("  - " + Preflight.inOptionTerms(p));
            }
            return 1;
        } finally {
            progress.end(); // so does any other error's message
        }
        context.out().println("submitted project " + view.id() + " (" + view.totalRounds() + " rounds); watch it with: daig watch " + view.id());
        context.out().println(view.id());
        return 0;
    }
}
