package org.daig.console.internal;

/**
 * Escaping for the server-rendered pages. Every string that did not come from this bundle's own
 * code (user names, messages) passes through {@link #text}; the script builds the rest of the
 * console with {@code textContent}, which the browser never parses as markup.
 */
final class Html {

    private Html() {
    }

    /** {@code s} as element text or a quoted attribute value: the five characters that could end either are replaced. */
    static String text(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
            case '&' -> out.append("&amp;");
            case '<' -> out.append("&lt;");
            case '>' -> out.append("&gt;");
            case '"' -> out.append("&quot;");
            case '\'' -> out.append("&#39;");
            default -> {
                // control characters have no business in a page: shown as U+FFFD
                if (c < 0x20 && c != '\n' && c != '\t' || c == 0x7f) {
                    out.append('\uFFFD');
                } else {
                    out.append(c);
                }
            }
            }
        }
        return out.toString();
    }
}
