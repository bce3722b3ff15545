package org.daig.experts.net;

import java.io.Closeable;
import java.io.IOException;

/** The small thread and socket chores the expert server and the relay share. */
final class Quietly {

    private Quietly() {
    }

    /** A daemon thread (not started): a server's threads must not keep the JVM alive. */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Closes, ignoring a failure: called where the connection is being given up anyway. */
    static void close(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
