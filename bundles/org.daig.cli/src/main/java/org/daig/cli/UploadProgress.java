package org.daig.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

import org.daig.requestor.RequestorClient;

/**
 * How far each upload of a submission is. On a terminal, a bar per file redrawn in place and
 * ended on its own line; elsewhere (a pipe, a log file, a test) no carriage returns: one plain
 * line per file when its upload ends, e.g. "uploading x train_x.npy: 12.3 MB ... done".
 */
final class UploadProgress implements RequestorClient.UploadProgress {

    private final PrintStream out;
    private final boolean terminal;
    private String current;
    private Path file;
    private long total;
    private long sent;
    private int shown = -1;
    private boolean ended;

    UploadProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void uploaded(String what, Path file, long sent, long total) {
        if (!what.equals(current)) {
            end();
            this.current = what;
            this.file = file;
            this.shown = -1;
            this.ended = false;
        }
        if (ended) {
            return; // a finished file's line is printed already
        }
        this.total = Math.max(1, total);
        this.sent = sent;
        if (!terminal && sent >= total) {
            end(); // finished: its line now, not when the next file starts
        } else if (terminal) {
            int percent = (int) (100 * Math.min(sent, this.total) / this.total);
            if (percent != shown) {
                shown = percent;
                int filled = percent / 4;
                out.print(String.format(Locale.ROOT, "\rupload %-28s [%s%s] %3d%%", what + " " + file.getFileName(), "#".repeat(filled),
                        " ".repeat(25 - filled), percent));
                out.flush();
            }
        }
    }

    /** Ends the current file's line: a finished upload says done, an interrupted one how far it got. */
    void end() {
        if (current == null || ended) {
            return;
        }
        if (terminal) {
            out.println();
        } else {
            out.println("uploading " + current + " " + file.getFileName() + ": " + size(total)
                    + (sent >= total ? " ... done" : " ... stopped at " + size(sent)));
        }
        ended = true;
    }

    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        if (bytes < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
