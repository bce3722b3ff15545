package org.daig.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.daig.cli.Commands.RequestorCommand;
import org.daig.requestor.RequestorClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

// no standard help options: --version is this command's own (the model version), as it always was
@Command(name = "download", sortOptions = false,
        description = "Downloads a project's model: the newest version, or the one --version names.")
final class DownloadCommand extends RequestorCommand {

    enum Format { model, keras, h5, zip, npy }

    @Option(names = { "-h", "--help" }, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "PROJECT", description = "the project's id (daig list shows them)")
    String id;

    @Option(names = "--version", paramLabel = "N", description = "the model version (default: the newest)")
    Integer version;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "model",
            description = "model (the format the model was uploaded in: .keras or .h5), keras (Keras 3), h5 (Keras), zip (DL4J) "
                    + "or npy (the parameters); default: ${DEFAULT-VALUE}")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write it (default: PROJECT.FORMAT)")
    Path out;

    @Override
    int call(RequestorClient coordinator, Context context) throws Exception {
        Path target = out != null ? out : Path.of(id + "." + format.name());
        coordinator.download(id, version, format.name(), target);
        if (out == null && format == Format.model) {
            // named after what came: a .keras archive is a zip, a .h5 is not
            byte[] head = new byte[2];
            try (java.io.InputStream in = Files.newInputStream(target)) {
                in.readNBytes(head, 0, 2);
            }
            Path named = Path.of(id + (head[0] == 'P' && head[1] == 'K' ? ".keras" : ".h5"));
            target = Files.move(target, named, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        context.out().println("wrote " + target + " (" + Files.size(target) + " bytes)");
        return 0;
    }
}
