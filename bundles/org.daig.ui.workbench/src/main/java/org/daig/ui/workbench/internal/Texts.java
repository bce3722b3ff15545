package org.daig.ui.workbench.internal;

import java.util.Locale;

/** Numbers as the views show them. */
final class Texts {

    private Texts() {
    }

    static String num(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String eta(double seconds) {
        if (seconds < 0 || Double.isNaN(seconds)) {
            return "–";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60) : s + " s";
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
