package org.daig.monitor.idle;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;

/**
 * Input idle time on Linux (and the BSDs) from the X server's MIT-SCREEN-SAVER extension
 * (libXss), as screen savers read it. The display is opened once and kept.
 *
 * <p>Not readable, and said so in the notes: without DISPLAY (headless, services), when libX11 or
 * libXss is missing, and in Wayland sessions — there XWayland sees input to X11 windows only, so
 * its idle time would grow while the user types into native Wayland programs, and training would
 * start under their hands. {@link LinuxUserIdle} then asks D-Bus instead.
 *
 * <p>Caveat: Xlib ends the process when the X server goes away under an open display (its I/O
 * error handler exits). The provider started in a desktop session ends with that session anyway.
 */
final class X11UserIdle implements UserIdleReader {

    private static final Logger LOG = LoggerFactory.getLogger(X11UserIdle.class);
    /** After XOpenDisplay failed, wait this long before trying again (a display may come up later). */
    private static final long REOPEN_MILLIS = 60_000;

    /** The few Xlib functions needed; declared here so nothing loads libX11 before we ask. */
    public interface XLib extends Library {
        Pointer XOpenDisplay(String name);

        NativeLong XDefaultRootWindow(Pointer display);

        int XCloseDisplay(Pointer display);
    }

    /** libXss, which jna-platform does not bind. */
    public interface Xss extends Library {
        boolean XScreenSaverQueryExtension(Pointer display, IntByReference eventBase, IntByReference errorBase);

        int XScreenSaverQueryInfo(Pointer display, NativeLong drawable, XScreenSaverInfo info);
    }

    /** XScreenSaverInfo from X11/extensions/scrnsaver.h; Window and unsigned long are C longs. */
    @Structure.FieldOrder({ "window", "state", "kind", "tilOrSince", "idle", "eventMask" })
    public static class XScreenSaverInfo extends Structure {
        public NativeLong window;
        public int state;
        public int kind;
        public NativeLong tilOrSince;
        public NativeLong idle;
        public NativeLong eventMask;
    }

    private final Map<String, String> env;
    /** Set when the idle time can never be read in this process; the cause for the notes. */
    private String permanentCause;
    private String openCause;
    private long openFailedAt;
    private XLib xlib;
    private Xss xss;
    private Pointer display;
    private NativeLong root;
    private final XScreenSaverInfo info = new XScreenSaverInfo();

    X11UserIdle(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public long idleMillis(Notes notes) {
        try {
            if (permanentCause == null && display == null) {
                open();
            }
            if (permanentCause != null || display == null) {
                notes.add(Notes.USER_IDLE, permanentCause != null ? permanentCause : openCause);
                return -1;
            }
            if (xss.XScreenSaverQueryInfo(display, root, info) == 0) {
                notes.add(Notes.USER_IDLE, "XScreenSaverQueryInfo failed");
                return -1;
            }
            return info.idle.longValue();
        } catch (RuntimeException | LinkageError e) {
            permanentCause = "cannot use libX11/libXss (" + e + ")";
            notes.add(Notes.USER_IDLE, permanentCause);
            return -1;
        }
    }

    private void open() {
        String displayName = env.getOrDefault("DISPLAY", "").trim();
        if ("wayland".equalsIgnoreCase(env.get("XDG_SESSION_TYPE")) || !env.getOrDefault("WAYLAND_DISPLAY", "").isBlank()) {
            permanentCause = "Wayland session (XWayland does not see input to Wayland windows)";
            return;
        }
        if (displayName.isEmpty()) {
            permanentCause = "no X11 display (Wayland or headless)";
            return;
        }
        if (xlib == null) {
            xlib = load("X11", XLib.class, "libX11 not installed (apt install libx11-6)");
            xss = xlib == null ? null : load("Xss", Xss.class, "libXss not installed (apt install libxss1)");
            if (xss == null) {
                return;
            }
        }
        long now = System.currentTimeMillis();
        if (openCause != null && now - openFailedAt < REOPEN_MILLIS) {
            return;
        }
        Pointer opened = xlib.XOpenDisplay(displayName);
        if (opened == null) {
            openCause = "no X11 display (Wayland or headless): cannot open " + displayName;
            openFailedAt = now;
            return;
        }
        // Without the extension XScreenSaverQueryInfo raises an X error, whose default handler exits.
        if (!xss.XScreenSaverQueryExtension(opened, new IntByReference(), new IntByReference())) {
            xlib.XCloseDisplay(opened);
            permanentCause = "the X server lacks the MIT-SCREEN-SAVER extension";
            return;
        }
        display = opened;
        root = xlib.XDefaultRootWindow(opened);
        openCause = null;
        LOG.debug("Reading the input idle time from X11 display {}", displayName);
    }

    private <T extends Library> T load(String name, Class<T> type, String missing) {
        try {
            return Native.load(name, type);
        } catch (UnsatisfiedLinkError e) {
            permanentCause = missing;
            LOG.debug("Cannot load lib{}: {}", name, e.toString());
            return null;
        }
    }

    /** Only for the idle time's source name: {@link LinuxUserIdle} asks this reader in X11 sessions. */
    @Override
    public String source() {
        return display != null ? LinuxUserIdle.X11Source.NAME : "";
    }

    @Override
    public void close() {
        Pointer opened = display;
        display = null;
        if (opened != null) {
            try {
                xlib.XCloseDisplay(opened);
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("XCloseDisplay failed: {}", e.toString());
            }
        }
    }
}
