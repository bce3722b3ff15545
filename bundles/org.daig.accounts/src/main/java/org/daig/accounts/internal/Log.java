package org.daig.accounts.internal;

/** Untrusted strings made safe for one log line: no CR/LF or other control characters, bounded length. */
public final class Log {

    private static final int MAX = 100;

    private Log() {
    }

    public static String safe(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 2);
        value.codePoints().limit(MAX).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        if (value.codePointCount(0, value.length()) > MAX) {
            out.append('…');
        }
        return out.toString();
    }
}
