package org.daig.monitor.idle;

import java.time.Clock;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;

/**
 * Any desktop that tells systemd-logind: the session's {@code IdleHint} (b) and
 * {@code IdleSinceHint} (t, microseconds since the epoch, CLOCK_REALTIME) on the system bus. The
 * idle time is now minus IdleSinceHint while IdleHint is true, else 0.
 *
 * <p>Coarse by nature: the desktop sets the hint only once its own idle delay has passed (GNOME's
 * "blank screen" delay), so this reads 0 until then; a desktop that never sets it reads 0 for
 * ever, which keeps training paused rather than starting it under the user's hands. For text
 * sessions logind sets the hint itself from the terminal's last input.
 *
 * <p>The session: {@code GetSession($XDG_SESSION_ID)}, or without that variable logind's
 * {@code session/auto}, the caller's session or else the user's graphical one.
 */
final class LogindIdle implements IdleSource {

    static final String NAME = "systemd-logind (IdleHint)";
    static final String SERVICE = "org.freedesktop.login1";
    static final String MANAGER_PATH = "/org/freedesktop/login1";
    static final String AUTO_SESSION = "/org/freedesktop/login1/session/auto";
    private static final String MANAGER = "org.freedesktop.login1.Manager";
    private static final String SESSION = "org.freedesktop.login1.Session";
    private static final String PROPERTIES = "org.freedesktop.DBus.Properties";

    private final DBusLink system;
    private final String sessionId;
    private final Clock wallClock;
    private String sessionPath;

    /** @param sessionId $XDG_SESSION_ID, or null */
    LogindIdle(DBusLink system, String sessionId, Clock wallClock) {
        this.system = system;
        this.sessionId = sessionId == null || sessionId.isBlank() ? null : sessionId.trim();
        this.wallClock = wallClock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long idleMillis() throws SourceFailure {
        String path = session();
        try {
            if (!(property(path, "IdleHint", "b") instanceof Boolean idle)) {
                throw new SourceFailure("IdleHint is not a boolean", false);
            }
            if (!idle) {
                return 0;
            }
            long sinceMicros = ((UInt64) property(path, "IdleSinceHint", "t")).longValue();
            if (sinceMicros <= 0) {
                throw new SourceFailure("IdleHint is set but IdleSinceHint is not (" + Long.toUnsignedString(sinceMicros) + ")", false);
            }
            return Math.max(0, wallClock.millis() - sinceMicros / 1000);
        } catch (SourceFailure e) {
            sessionPath = null; // the session may have ended: look it up again next time
            throw e;
        }
    }

    private String session() throws SourceFailure {
        if (sessionPath == null) {
            if (sessionId == null) {
                sessionPath = AUTO_SESSION;
            } else {
                Object[] reply = system.call(SERVICE, MANAGER_PATH, MANAGER, "GetSession", "o", "s", sessionId);
                sessionPath = ((DBusPath) reply[0]).getPath();
            }
        }
        return sessionPath;
    }

    /** A property's value, after checking the variant holds the D-Bus type expected. */
    private Object property(String path, String name, String type) throws SourceFailure {
        Object[] reply = system.call(SERVICE, path, PROPERTIES, "Get", "v", "ss", SESSION, name);
        Variant<?> value = (Variant<?>) reply[0];
        if (!type.equals(value.getSig())) {
            throw new SourceFailure(name + " has D-Bus type '" + value.getSig() + "' where '" + type + "' was expected", false);
        }
        return value.getValue();
    }
}
