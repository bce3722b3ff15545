package org.daig.trainer.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bubblewrap around a worker JVM: the whole file system read-only except the folders it must
 * write, no network (its own empty network namespace), no shared IPC. The worker talks to its
 * parent over stdin/stdout only, so it needs nothing more, and it ends when its stdin closes.
 * Not {@code --die-with-parent}: Linux sends that signal when the parent's starting thread ends,
 * and the provider starts workers from threads that come and go. Used where
 * {@code bwrap} is installed and works (a container may forbid namespaces: then not at all).
 */
public final class Sandbox {

    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static volatile Optional<Sandbox> probed;

    private final Path bwrap;

    Sandbox(Path bwrap) {
        this.bwrap = bwrap;
    }

    /** The sandbox when bubblewrap is installed and works here (checked once per process). */
    public static Optional<Sandbox> available() {
        Optional<Sandbox> result = probed;
        if (result == null) {
            result = Files.isExecutable(BWRAP) && new Sandbox(BWRAP).works() ? Optional.of(new Sandbox(BWRAP)) : Optional.empty();
            if (result.isEmpty()) {
                LOG.info("Workers run without a sandbox: bubblewrap ({}) is {}. Install it (apt-get install bubblewrap) so that "
                        + "workers reading strangers' files have no network.", BWRAP, Files.isExecutable(BWRAP) ? "refused here" : "not installed");
            } else {
                LOG.info("Workers for strangers' input run under bubblewrap: no network, read-only but the data folder");
            }
            probed = result;
        }
        return result;
    }

    /** The command prefix that runs a program confined, able to write only under {@code writable}. */
    public List<String> command(List<Path> writable) {
        List<String> command = new ArrayList<>(List.of(bwrap.toString(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
        for (Path folder : writable) {
            String path = folder.toAbsolutePath().normalize().toString();
            command.addAll(List.of("--bind", path, path));
        }
        command.addAll(List.of("--unshare-net", "--unshare-ipc", "--new-session"));
        return command;
    }

    /** Whether bubblewrap can make its namespaces here: runs {@code true} inside it. */
    boolean works() {
        try {
            List<String> probe = new ArrayList<>(command(List.of()));
            probe.add("/bin/true");
            Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
            process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
