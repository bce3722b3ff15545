package org.daig.monitor.idle;

import java.util.Locale;

/** Time since the last keyboard or mouse input, the way this OS tells it. */
interface UserIdleReader extends AutoCloseable {

    /** Milliseconds since the last input, or -1 with a note under {@link Notes#USER_IDLE}. Never throws. */
    long idleMillis(Notes notes);

    /** Where the last reading came from ("GNOME (Mutter IdleMonitor)"), empty when it failed. */
    String source();

    @Override
    default void close() {
    }

    static UserIdleReader forThisOs() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return new WindowsUserIdle();
        }
        if (os.startsWith("mac")) {
            return new MacUserIdle();
        }
        return LinuxUserIdle.forEnvironment(System.getenv());
    }
}
