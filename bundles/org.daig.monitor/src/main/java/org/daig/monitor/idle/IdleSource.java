package org.daig.monitor.idle;

/** One way of reading the user's input idle time on Linux: X11, GNOME's Mutter, the ScreenSaver service, logind. */
interface IdleSource {

    /** How the log and the tray name it: "GNOME (Mutter IdleMonitor)". */
    String name();

    /** Milliseconds since the last input. */
    long idleMillis() throws SourceFailure;
}
