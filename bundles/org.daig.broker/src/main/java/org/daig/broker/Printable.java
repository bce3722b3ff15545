package org.daig.broker;

/** Makes a string a client chose safe for one log line: no control characters, at most 100 characters. */
final class Printable {

    private static final int MAX = 100;

    private Printable() {
    }

    static String of(String untrusted) {
        if (untrusted == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < untrusted.length() && out.length() < MAX; i++) {
            char c = untrusted.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return untrusted.length() > MAX ? out + "..." : out.toString();
    }
}
