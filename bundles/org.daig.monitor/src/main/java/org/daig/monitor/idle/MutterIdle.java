package org.daig.monitor.idle;

import org.freedesktop.dbus.types.UInt64;

/**
 * GNOME: Mutter (the compositor, so it sees the input to every window, Wayland or XWayland)
 * serves {@code GetIdletime() -> t}, milliseconds since the last input, on the session bus.
 */
final class MutterIdle implements IdleSource {

    static final String NAME = "GNOME (Mutter IdleMonitor)";
    static final String SERVICE = "org.gnome.Mutter.IdleMonitor";
    static final String PATH = "/org/gnome/Mutter/IdleMonitor/Core";

    private final DBusLink session;

    MutterIdle(DBusLink session) {
        this.session = session;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long idleMillis() throws SourceFailure {
        Object[] reply = session.call(SERVICE, PATH, SERVICE, "GetIdletime", "t", null);
        long millis = ((UInt64) reply[0]).longValue();
        if (millis < 0) { // above 2^63: not a duration
            throw new SourceFailure("GetIdletime replied " + reply[0] + ", not a duration", false);
        }
        return millis;
    }
}
