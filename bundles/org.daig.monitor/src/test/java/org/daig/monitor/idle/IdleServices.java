package org.daig.monitor.idle;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;

/**
 * Stand-ins for the desktop's services, exported with dbus-java on a test bus under the real
 * names, paths and interfaces: GNOME's Mutter IdleMonitor, the freedesktop ScreenSaver and
 * systemd-logind's Manager and Session. Public, because dbus-java calls them by reflection.
 */
public final class IdleServices {

    private IdleServices() {
    }

    /** A connection to a test bus that owns one well-known name; closing it takes the name off the bus. */
    public static final class Service implements AutoCloseable {
        private final DBusConnection connection;
        private final String name;

        Service(String address, String name, Map<String, DBusInterface> objects) throws DBusException {
            this.connection = DBusConnectionBuilder.forAddress(address).withShared(false).build();
            this.name = name;
            for (Map.Entry<String, DBusInterface> object : objects.entrySet()) {
                connection.exportObject(object.getKey(), object.getValue());
            }
            connection.requestBusName(name); // synchronous: the name is on the bus when this returns
        }

        /** Gives the name up; the bus has taken it off when this returns. */
        public void leave() throws DBusException {
            connection.releaseBusName(name);
        }

        /** Gives the name up first, so that it is free when this returns (closing alone frees it later). */
        @Override
        public void close() throws IOException {
            try {
                if (connection.isConnected()) {
                    leave();
                }
            } catch (DBusException | RuntimeException e) {
                // already gone with its bus
            }
            connection.close();
        }
    }

    @DBusInterfaceName("org.gnome.Mutter.IdleMonitor")
    public interface MutterIdleMonitor extends DBusInterface {
        UInt64 GetIdletime();
    }

    /** A broken Mutter: the right method with the wrong reply type. */
    @DBusInterfaceName("org.gnome.Mutter.IdleMonitor")
    public interface WrongMutterIdleMonitor extends DBusInterface {
        String GetIdletime();
    }

    /** Real Mutter's remote-desktop API, through which a test gives a headless Mutter input. */
    @DBusInterfaceName("org.gnome.Mutter.RemoteDesktop")
    public interface MutterRemoteDesktop extends DBusInterface {
        DBusPath CreateSession();
    }

    @DBusInterfaceName("org.gnome.Mutter.RemoteDesktop.Session")
    public interface MutterRemoteDesktopSession extends DBusInterface {
        void Start();

        void Stop();

        void NotifyPointerMotionRelative(double dx, double dy);
    }

    @DBusInterfaceName("org.freedesktop.ScreenSaver")
    public interface ScreenSaver extends DBusInterface {
        UInt32 GetSessionIdleTime();
    }

    @DBusInterfaceName("org.freedesktop.login1.Manager")
    public interface LoginManager extends DBusInterface {
        DBusPath GetSession(String id);
    }

    public static final class Mutter implements MutterIdleMonitor {
        volatile long idleMillis;
        final AtomicInteger calls = new AtomicInteger();
        /** When set, GetIdletime waits for it: a compositor that hangs. */
        volatile CountDownLatch hang;

        Mutter(long idleMillis) {
            this.idleMillis = idleMillis;
        }

        @Override
        public UInt64 GetIdletime() {
            calls.incrementAndGet();
            CountDownLatch wait = hang;
            if (wait != null) {
                try {
                    wait.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new UInt64(idleMillis);
        }

        @Override
        public String getObjectPath() {
            return MutterIdle.PATH;
        }

        static Service start(String address, Mutter mutter) throws DBusException {
            return new Service(address, MutterIdle.SERVICE, Map.of(MutterIdle.PATH, mutter));
        }
    }

    public static final class WrongMutter implements WrongMutterIdleMonitor {
        @Override
        public String GetIdletime() {
            return "12 minutes";
        }

        @Override
        public String getObjectPath() {
            return MutterIdle.PATH;
        }
    }

    public static final class Saver implements ScreenSaver {
        volatile long idleMillis;
        private final String path;

        Saver(long idleMillis, String path) {
            this.idleMillis = idleMillis;
            this.path = path;
        }

        @Override
        public UInt32 GetSessionIdleTime() {
            return new UInt32(idleMillis);
        }

        @Override
        public String getObjectPath() {
            return path;
        }

        /** KDE's screen locker, at one of its two paths. */
        static Service start(String address, long idleMillis, String path) throws DBusException {
            return new Service(address, ScreenSaverIdle.SERVICE, Map.of(path, new Saver(idleMillis, path)));
        }
    }

    /** logind's manager: knows sessions by id; an unknown id gets logind's NoSuchSession error. */
    public static final class Manager implements LoginManager {
        private final Map<String, String> sessions = new ConcurrentHashMap<>();

        @Override
        public DBusPath GetSession(String id) {
            String path = sessions.get(id);
            if (path == null) {
                throw new NoSuchSession("No session '" + id + "' known");
            }
            return new DBusPath(path);
        }

        @Override
        public String getObjectPath() {
            return LogindIdle.MANAGER_PATH;
        }

        /** logind with one session, at its own path and at session/auto. */
        static Service start(String address, String id, Session session) throws DBusException {
            Manager manager = new Manager();
            String path = "/org/freedesktop/login1/session/" + id;
            manager.sessions.put(id, path);
            return new Service(address, LogindIdle.SERVICE, Map.of(LogindIdle.MANAGER_PATH, manager, path, session.at(path),
                    LogindIdle.AUTO_SESSION, session.at(LogindIdle.AUTO_SESSION)));
        }
    }

    /** The error logind sends for an unknown session; dbus-java names the error after the class. */
    public static final class NoSuchSession extends DBusExecutionException {
        private static final long serialVersionUID = 1L;

        public NoSuchSession(String message) {
            super(message);
        }
    }

    /** A session's properties; the values are variants, so a test can give one the wrong type. */
    public static final class Session {
        final Map<String, Variant<?>> values = new ConcurrentHashMap<>();

        Session idle(boolean idle, long sinceMicros) {
            values.put("IdleHint", new Variant<>(idle));
            values.put("IdleSinceHint", new Variant<>(new UInt64(sinceMicros)));
            return this;
        }

        Properties at(String path) {
            return new SessionObject(this, path);
        }
    }

    public static final class SessionObject implements Properties {
        private final Session session;
        private final String path;

        SessionObject(Session session, String path) {
            this.session = session;
            this.path = path;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <A> A Get(String iface, String property) {
            Variant<?> value = "org.freedesktop.login1.Session".equals(iface) ? session.values.get(property) : null;
            if (value == null) {
                throw new DBusExecutionException("No property " + iface + "." + property);
            }
            return (A) value;
        }

        @Override
        public <A> void Set(String iface, String property, A value) {
            throw new DBusExecutionException("read-only");
        }

        @Override
        public Map<String, Variant<?>> GetAll(String iface) {
            return Map.copyOf(session.values);
        }

        @Override
        public String getObjectPath() {
            return path;
        }
    }
}
