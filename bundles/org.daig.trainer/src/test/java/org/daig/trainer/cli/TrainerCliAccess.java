package org.daig.trainer.cli;

/** Runs the command line in-process for tests (System.exit stays out of the way). */
public final class TrainerCliAccess {

    public int run(String... args) {
        return new TrainerCli(System.out).run(args);
    }
}
