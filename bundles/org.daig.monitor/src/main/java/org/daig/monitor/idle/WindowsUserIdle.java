package org.daig.monitor.idle;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.User32;
import com.sun.jna.platform.win32.WinUser;

/**
 * Input idle time on Windows: GetLastInputInfo against GetTickCount, both 32-bit millisecond
 * counters that wrap after 49.7 days, so the difference is taken modulo 2^32. It sees the input of
 * the session the provider runs in: a provider run as a service (session 0) sees none.
 */
final class WindowsUserIdle implements UserIdleReader {

    private final WinUser.LASTINPUTINFO info = new WinUser.LASTINPUTINFO();

    @Override
    public long idleMillis(Notes notes) {
        try {
            if (!User32.INSTANCE.GetLastInputInfo(info)) {
                notes.add(Notes.USER_IDLE, "GetLastInputInfo failed (error " + Kernel32.INSTANCE.GetLastError() + ")");
                return -1;
            }
            long now = Integer.toUnsignedLong(Kernel32.INSTANCE.GetTickCount());
            return (now - Integer.toUnsignedLong(info.dwTime)) & 0xFFFF_FFFFL;
        } catch (RuntimeException | LinkageError e) {
            notes.add(Notes.USER_IDLE, "cannot call user32 (" + e + ")");
            return -1;
        }
    }

    @Override
    public String source() {
        return "Windows (GetLastInputInfo)";
    }
}
