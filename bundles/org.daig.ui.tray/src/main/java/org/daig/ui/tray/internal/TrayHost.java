package org.daig.ui.tray.internal;

import java.util.Locale;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * Whether the desktop will show a tray icon. SWT creates a TrayItem on any X11 display, but it
 * is only seen when a tray host owns the freedesktop.org system-tray selection
 * ({@code _NET_SYSTEM_TRAY_S0}): GNOME without the AppIndicator extension, bare window managers
 * and Xvfb have none, and a Wayland session has no X11 tray at all.
 */
public final class TrayHost {

    private TrayHost() {
    }

    /** Null when a tray icon will be seen, else why not (for the stand-in window to say). */
    public static String missingReason() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win") || os.contains("mac")) {
            return null; // both always have a notification area / menu bar extras
        }
        String display = System.getenv("DISPLAY");
        if ((display == null || display.isEmpty()) && System.getenv("WAYLAND_DISPLAY") != null) {
            return "this Wayland session has no system tray for X11 programs";
        }
        try {
            Xlib x = Native.load("X11", Xlib.class);
            Pointer d = x.XOpenDisplay(null);
            if (d == null) {
                return "the X11 display " + display + " cannot be opened";
            }
            try {
                NativeLong atom = x.XInternAtom(d, "_NET_SYSTEM_TRAY_S0", false);
                return x.XGetSelectionOwner(d, atom).longValue() != 0 ? null
                        : "the desktop has no system tray (on GNOME, install the AppIndicator extension)";
            } finally {
                x.XCloseDisplay(d);
            }
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null; // cannot tell: trust SWT's tray
        }
    }

    /** The three Xlib calls needed; JNA's own X11 binding lacks XGetSelectionOwner. */
    interface Xlib extends Library {
        Pointer XOpenDisplay(String name);

        NativeLong XInternAtom(Pointer display, String name, boolean onlyIfExists);

        NativeLong XGetSelectionOwner(Pointer display, NativeLong selection);

        int XCloseDisplay(Pointer display);
    }
}
