package org.daig.monitor.idle;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.messages.Error;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a D-Bus bus (the session's or the system's), opened on the first call, kept
 * for every later one, and opened again when it has dropped (the bus daemon restarted). A failed
 * connect is remembered for {@code retryMillis}, so a missing bus costs nothing per reading.
 *
 * <p>Calls are sent as plain messages and their replies awaited for at most {@code timeoutMillis}:
 * a compositor that hangs delays one reading by that much, never the monitor's loop for long. The
 * reply's signature is checked here, so a service that answers with the wrong type is reported as
 * such instead of failing somewhere in a cast.
 */
final class DBusLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DBusLink.class);
    static final String UNKNOWN_SERVICE = "org.freedesktop.DBus.Error.ServiceUnknown";
    static final String NAME_HAS_NO_OWNER = "org.freedesktop.DBus.Error.NameHasNoOwner";
    /**
     * The error names dbus-java gives the replies it makes up itself, when a call could not be sent: its own
     * exceptions' class names, or the JDK's I/O exception's when the socket broke mid-write ("Broken pipe").
     */
    private static final List<String> LOCAL_ERRORS = List.of("org.freedesktop.dbus.exceptions.", "java.");

    private final String busName;
    private final String address;
    private final String noAddress;
    private final long timeoutMillis;
    private final long retryMillis;
    private final LongSupplier monotonicMillis;

    private DBusConnection connection;
    private String connectFailure;
    private long connectFailedAt;

    /**
     * @param busName   "session bus" or "system bus", for messages
     * @param address   the bus address ("unix:path=/run/user/1000/bus"), or null when there is none
     * @param noAddress why there is no address (used when {@code address} is null)
     */
    DBusLink(String busName, String address, String noAddress, long timeoutMillis, long retryMillis, LongSupplier monotonicMillis) {
        this.busName = busName;
        this.address = address;
        this.noAddress = noAddress;
        this.timeoutMillis = timeoutMillis;
        this.retryMillis = retryMillis;
        this.monotonicMillis = monotonicMillis;
    }

    String busName() {
        return busName;
    }

    /**
     * Calls a method and returns the reply's arguments, after checking that their D-Bus signature
     * is {@code replySignature}.
     *
     * @throws SourceFailure with a cause a person can read: no bus, no such service, an error
     *                       reply, no reply in time, or a reply of the wrong type
     */
    synchronized Object[] call(String destination, String path, String iface, String member, String replySignature, String signature,
            Object... args) throws SourceFailure {
        DBusConnection open = connect();
        Message reply;
        try {
            MethodCall call = open.getMessageFactory().createMethodCall(destination, path, iface, member, (byte) 0, signature, args);
            open.sendMessage(call);
            reply = call.getReply(timeoutMillis);
        } catch (DBusException | DBusExecutionException e) {
            throw new SourceFailure(member + " could not be sent on the " + busName + " (" + e.getMessage() + ")", false);
        } catch (RuntimeException e) {
            // dbus-java refuses to send once its connection has seen the bus go (a RejectedExecutionException)
            boolean dropped = !open.isConnected() || e instanceof RejectedExecutionException;
            drop();
            throw new SourceFailure(dropped ? "the " + busName + " connection dropped" : member + " failed on the " + busName + " (" + e + ")",
                    false);
        }
        if (reply == null) {
            if (!open.isConnected()) {
                drop();
                throw new SourceFailure("the " + busName + " connection dropped", false);
            }
            throw new SourceFailure(member + " got no reply within " + timeoutMillis + " ms", false);
        }
        if (reply instanceof Error) {
            String type = reply.getName();
            if (UNKNOWN_SERVICE.equals(type) || NAME_HAS_NO_OWNER.equals(type)) {
                throw new SourceFailure(destination + " is not on the " + busName, true, type);
            }
            if (type != null && LOCAL_ERRORS.stream().anyMatch(type::startsWith)) {
                // made up by dbus-java itself: the message never reached the bus ("Broken pipe")
                drop();
                throw new SourceFailure("the " + busName + " connection dropped" + errorText(reply).replaceFirst("^: (.*)$", " ($1)"), false);
            }
            throw new SourceFailure(member + " failed: " + type + errorText(reply), false, type);
        }
        String actual = reply.getSig() == null ? "" : reply.getSig();
        if (!actual.equals(replySignature)) {
            throw new SourceFailure(member + " replied with D-Bus type '" + actual + "' where '" + replySignature + "' was expected", false);
        }
        try {
            return reply.getParameters();
        } catch (DBusException | RuntimeException e) {
            throw new SourceFailure("cannot read the reply to " + member + " (" + e.getMessage() + ")", false);
        }
    }

    /** ": the error's message", when it carries one. */
    private static String errorText(Message error) {
        try {
            Object[] body = error.getParameters();
            return body != null && body.length > 0 && body[0] instanceof String text && !text.isBlank() ? ": " + text : "";
        } catch (DBusException | RuntimeException e) {
            return "";
        }
    }

    private DBusConnection connect() throws SourceFailure {
        if (connection != null && !connection.isConnected()) {
            LOG.debug("The {} connection dropped; connecting again", busName);
            drop();
        }
        if (connection != null) {
            return connection;
        }
        if (address == null) {
            throw new SourceFailure(noAddress, false);
        }
        long now = monotonicMillis.getAsLong();
        if (connectFailure != null && now - connectFailedAt < retryMillis) {
            throw new SourceFailure(connectFailure, false);
        }
        try {
            // the transport timeout also sets dbus-java's connect attempts: max(500, timeout) / 500, 500 ms apart
            connection = DBusConnectionBuilder.forAddress(address).withShared(false)
                    .transportConfig().withTimeout((int) timeoutMillis).back()
                    .build();
            connectFailure = null;
            LOG.debug("Connected to the {} at {}", busName, address);
            return connection;
        } catch (DBusException | RuntimeException e) {
            connectFailure = "cannot connect to the " + busName + " at " + address + " (" + e.getMessage() + ")";
            connectFailedAt = now;
            throw new SourceFailure(connectFailure, false);
        } catch (LinkageError e) {
            // dbus-java finds its socket transport with ServiceLoader; without it every connection fails the same way
            connectFailure = "dbus-java cannot connect without its unix-socket transport (" + e + ")";
            connectFailedAt = now;
            throw new SourceFailure(connectFailure, false);
        }
    }

    private void drop() {
        DBusConnection old = connection;
        connection = null;
        if (old != null) {
            try {
                old.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing the {} connection failed: {}", busName, e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        drop();
    }
}
