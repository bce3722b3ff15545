package org.daig.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.daig.requestor.ExpertsClient;
import org.daig.requestor.RequestorException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Models larger than one machine (issue 18, docs/experts.md): host mixture-of-experts cells, and train
 * a model whose experts live on other machines. Both run in a trainer JVM ({@link TrainerProcess}); the
 * experts' token comes from DAIG_EXPERTS_TOKEN or a file, never from the command line.
 */
final class ExpertsCommands {

    private ExpertsCommands() {
    }

    @Command(name = "experts", mixinStandardHelpOptions = true, description = "Mixture-of-experts models: host experts, train through them.",
            subcommands = { Host.class, Train.class, ExpertsProjectCommands.Create.class, ExpertsProjectCommands.Status.class,
                    ExpertsProjectCommands.Download.class, ExpertsProjectCommands.Cancel.class })
    static final class Experts implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "which one? host, train, create, status, download or cancel");
        }
    }

    @Command(name = "host", mixinStandardHelpOptions = true, sortOptions = false,
            description = { "Hosts experts (cells of a grid such as ffn.0.3) for trainers elsewhere until stopped (Ctrl-C).",
                    "Calls need the experts' token: DAIG_EXPERTS_TOKEN, or --token-file." })
    static final class Host extends TrainerCommands.TrainerCommand {
        @Option(names = "--cells", required = true, paramLabel = "UIDS", description = "the cells to host, e.g. ffn.0.0,ffn.1.1")
        String cells;

        @Option(names = "--width", defaultValue = "128", description = "the mixture's width: each expert's inputs and outputs (default 128)")
        int width;

        @Option(names = "--hidden", defaultValue = "128", description = "each expert's hidden layer (default 128)")
        int hidden;

        @Option(names = "--optimizer", defaultValue = "momentum", description = "adam, sgd or momentum (default momentum)")
        String optimizer;

        @Option(names = "--lr", defaultValue = "0.01", description = "the experts' learning rate (default 0.01)")
        double lr;

        @Option(names = "--seed", defaultValue = "18", description = "the experts' first parameters (default 18)")
        long seed;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "the address trainers reach (default 127.0.0.1)")
        String host;

        @Option(names = "--port", defaultValue = "0", description = "the TCP port for calls (default: any free one)")
        int port;

        @Option(names = "--dht-port", defaultValue = "0", description = "the UDP port of this host's DHT peer (default: any free one)")
        int dhtPort;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "a DHT peer to join through (none: this one is the first)")
        String bootstrap;

        @Option(names = "--checkpoint", paramLabel = "FILE.npy", description = "start from and save the experts' parameters here")
        Path checkpoint;

        @Option(names = "--relay", paramLabel = "HOST:PORT", description = "serve through an expert relay (behind NAT)")
        String relay;

        @Option(names = "--relay-name", paramLabel = "NAME", description = "the name to serve under at the relay (a device's id)")
        String relayName;

        @Option(names = "--relay-ca", paramLabel = "CERT", description = "the certificate to trust for the relay's TLS")
        Path relayCa;

        @Option(names = "--token-file", paramLabel = "FILE", description = "read the experts' token from FILE")
        Path tokenFile;

        @Override
        void arguments(List<String> args) {
            atLeast("--width", width, 1);
            atLeast("--hidden", hidden, 1);
            if ((relay == null) != (relayName == null)) {
                throw new ParameterException(spec.commandLine(), "--relay and --relay-name go together");
            }
            args.addAll(List.of("experts", "host"));
            add(args, "--uids", cells);
            add(args, "--inputs", width);
            add(args, "--hidden", hidden);
            add(args, "--optimizer", optimizer);
            add(args, "--lr", lr);
            add(args, "--seed", seed);
            add(args, "--host", host);
            add(args, "--port", port);
            add(args, "--dht-port", dhtPort);
            add(args, "--bootstrap", bootstrap);
            add(args, "--checkpoint", checkpoint);
            add(args, "--relay", relay);
            add(args, "--relay-name", relayName);
            add(args, "--relay-ca", relayCa);
            add(args, "--token-file", tokenFile);
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = { "Trains a classifier whose middle layer is a mixture of the experts others host, and saves the whole model.",
                    "inputs → dense ReLU layers → width + mixture(width) → softmax; the experts' token as for host." })
    static final class Train extends TrainerCommands.TrainerCommand {
        @Option(names = "--x", required = true, paramLabel = "X.npy", description = "the training samples")
        Path x;

        @Option(names = "--y", required = true, paramLabel = "Y.npy", description = "their labels: class ids or one-hot rows")
        Path y;

        @Option(names = "--test-x", paramLabel = "X.npy", description = "samples to report the accuracy on at the end")
        Path testX;

        @Option(names = "--test-y", paramLabel = "Y.npy", description = "their labels")
        Path testY;

        @Option(names = "--project", paramLabel = "ID", description = "an experts project on the coordinator (daig experts create): its"
                + " grid, sizes, token and DHT come from there, and the trained layers go back to it")
        String project;

        @picocli.CommandLine.Mixin
        Commands.CoordinatorOption coordinatorOption;

        @Option(names = "--relay-ca", paramLabel = "CERT", description = "the certificate to trust for the relay's TLS (with --project:"
                + " the coordinator's certificate as pinned at login)")
        Path relayCa;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "a DHT peer of the experts' hosts (not with --project)")
        String bootstrap;

        @Option(names = "--grid", defaultValue = "4x4", description = "the experts' grid under prefix ffn (default 4x4)")
        String grid;

        @Option(names = "--width", defaultValue = "128", description = "the mixture's width, as the hosts have it (default 128)")
        int width;

        @Option(names = "--bottom", paramLabel = "SIZES", description = "more dense layers before the mixture, e.g. 256")
        String bottom;

        @Option(names = "--k", defaultValue = "4", description = "experts per sample (default 4)")
        int k;

        @Option(names = "--k-min", defaultValue = "2", description = "answers to wait for per sample (default 2)")
        int kMin;

        @Option(names = "--epochs", defaultValue = "3", description = "passes over the data (default 3)")
        int epochs;

        @Option(names = "--batch", defaultValue = "100", description = "samples per step (default 100)")
        int batch;

        @Option(names = "--lr", defaultValue = "0.001", description = "Adam's learning rate for this side's layers (default 0.001)")
        double lr;

        @Option(names = "--seed", defaultValue = "18")
        long seed;

        @Option(names = "--save", paramLabel = "MODEL.zip", description = "write the whole model (daig model predict runs it)")
        Path save;

        @Option(names = "--token-file", paramLabel = "FILE", description = "read the experts' token from FILE")
        Path tokenFile;

        private ExpertsClient experts;

        @Override
        void arguments(List<String> args) throws Exception {
            List<String> projectArgs = new java.util.ArrayList<>();
            if (project != null) {
                fromProject(projectArgs);
            } else if (bootstrap == null) {
                throw new ParameterException(spec.commandLine(), "give --project ID (a grid project) or --bootstrap HOST:PORT (your own hosts)");
            }
            atLeast("--width", width, 1);
            atLeast("--k", k, 1);
            atLeast("--k-min", kMin, 1);
            atLeast("--epochs", epochs, 1);
            atLeast("--batch", batch, 1);
            if ((testX == null) != (testY == null)) {
                throw new ParameterException(spec.commandLine(), "--test-x and --test-y go together");
            }
            args.addAll(List.of("experts", "train"));
            add(args, "--x", x);
            add(args, "--y", y);
            add(args, "--test-x", testX);
            add(args, "--test-y", testY);
            add(args, "--bootstrap", bootstrap);
            add(args, "--grid", grid);
            add(args, "--hidden", width);
            add(args, "--bottom", bottom);
            add(args, "--k", k);
            add(args, "--k-min", kMin);
            add(args, "--epochs", epochs);
            add(args, "--batch", batch);
            add(args, "--lr", lr);
            add(args, "--seed", seed);
            add(args, "--save", save);
            add(args, "--token-file", tokenFile);
            add(args, "--relay-ca", relayCa);
            args.addAll(projectArgs);
            args.addAll(List.of("--trainers", "1", "--index", "0", "--progress", "50"));
        }

        /** The project's settings, its token in a file only this user reads, and (behind its relay) the session as the relay's token. */
        private void fromProject(List<String> args) throws Exception {
            Context context = Commands.context(spec);
            java.net.URI coordinator = coordinatorOption.coordinator();
            String session = Commands.token(context, coordinator);
            experts = new ExpertsClient(coordinator, session);
            ExpertsClient.Project p;
            try {
                p = experts.get(project);
            } catch (RequestorException e) {
                throw Commands.failure(e, coordinator, context);
            }
            if (p.bootstrap() == null) {
                throw new CliFailure("experts project " + project + " is " + p.state() + " and has no DHT to train through");
            }
            bootstrap = p.bootstrap();
            grid = p.spec().grid();
            width = p.spec().width();
            k = p.spec().k();
            kMin = p.spec().kMin();
            tokenFile = secretFile("daig-experts-token", p.token());
            add(args, "--prefix", p.spec().prefix());
            args.addAll(List.of("--dht-mode", "client"));
            if (p.relay() != null) {
                add(args, "--relay-token-file", secretFile("daig-relay-token", session));
                if (relayCa == null && "https".equalsIgnoreCase(coordinator.getScheme())) {
                    // the relay serves the coordinator's certificate: the one this machine pinned at login
                    relayCa = java.nio.file.Files.createTempFile("daig-coordinator-", ".pem");
                    relayCa.toFile().deleteOnExit();
                    java.nio.file.Files.writeString(relayCa, org.daig.trust.KnownCoordinators.certificatePem(coordinator,
                            context.env("DAIG_COORDINATOR_FINGERPRINT", null)));
                }
            }
            if (save == null) {
                save = java.nio.file.Files.createTempFile("daig-experts-", ".zip");
                save.toFile().deleteOnExit();
            }
        }

        @Override
        int finished(int code) throws Exception {
            if (code != 0 || experts == null) {
                return code;
            }
            Context context = Commands.context(spec);
            try {
                experts.uploadTrainer(project, save);
            } catch (RequestorException e) {
                throw Commands.failure(e, experts.coordinator(), context);
            }
            context.out().println("Handed the trained layers to experts project " + project + ": daig experts download " + project
                    + " --out model.zip writes the whole model");
            return 0;
        }

        /** A file only this user reads, deleted at exit, holding {@code secret}: secrets never go on a command line. */
        private static Path secretFile(String name, String secret) throws java.io.IOException {
            Path file = java.nio.file.Files.createTempFile(name, ".txt", java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            java.nio.file.Files.writeString(file, secret == null ? "" : secret);
            return file;
        }
    }
}
