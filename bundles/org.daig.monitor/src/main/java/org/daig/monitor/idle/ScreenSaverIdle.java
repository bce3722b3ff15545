package org.daig.monitor.idle;

import org.freedesktop.dbus.types.UInt32;

/**
 * KDE and other desktops: {@code org.freedesktop.ScreenSaver.GetSessionIdleTime() -> u} on the
 * session bus. KDE's screen locker answers it with KIdleTime's idle time in milliseconds (the
 * old freedesktop draft called the value seconds; KDE, the one that implements it, returns
 * milliseconds, and so do the programs that read it). KDE serves it at
 * /org/freedesktop/ScreenSaver and at /ScreenSaver; Plasma on Wayland answers NotSupported,
 * and then logind is next.
 */
final class ScreenSaverIdle implements IdleSource {

    static final String NAME = "freedesktop ScreenSaver";
    static final String SERVICE = "org.freedesktop.ScreenSaver";
    static final String[] PATHS = { "/org/freedesktop/ScreenSaver", "/ScreenSaver" };

    private final DBusLink session;
    /** Index into PATHS of the object that answered last. */
    private int path;

    ScreenSaverIdle(DBusLink session) {
        this.session = session;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long idleMillis() throws SourceFailure {
        SourceFailure first = null;
        for (int i = 0; i < PATHS.length; i++) {
            int at = (path + i) % PATHS.length;
            try {
                Object[] reply = session.call(SERVICE, PATHS[at], SERVICE, "GetSessionIdleTime", "u", null);
                path = at;
                return ((UInt32) reply[0]).longValue();
            } catch (SourceFailure e) {
                if (!noSuchObject(e.errorName())) {
                    throw e; // not there at all, or there and failing: the other path will not do better
                }
                first = first == null ? e : first;
            }
        }
        throw first;
    }

    /**
     * Whether the error says there is no such object or method at that path: Qt and GLib reply
     * org.freedesktop.DBus.Error.UnknownObject / UnknownMethod / UnknownInterface, dbus-java
     * org.freedesktop.dbus.errors.UnknownObject and the like.
     */
    static boolean noSuchObject(String errorName) {
        return errorName != null
                && (errorName.endsWith(".UnknownObject") || errorName.endsWith(".UnknownMethod") || errorName.endsWith(".UnknownInterface"));
    }
}
