package org.daig.ui.tray.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The volunteer's answers to the questions DAIG asks once, and what they change: participation,
 * the grid this machine enrols with (while it is not enrolled), and the idle policy. Kept apart
 * from the dialog so that the mapping is plain and testable without a display.
 *
 * @param participate    take part now, or later from the tray menu
 * @param coordinatorUrl the coordinator's HTTP address (null: leave it as configured)
 * @param enrolmentCode  a code from the grid's admin (null or empty: none given)
 * @param when           when training may run
 * @param idleMinutes    minutes without keyboard or mouse input before training
 * @param onBattery      whether a laptop trains on battery too
 */
public record FirstRun(boolean participate, String coordinatorUrl, String enrolmentCode, When when, int idleMinutes,
        boolean onBattery) {

    /** The provider's configuration (coordinator address, enrolment code). */
    public static final String PROVIDER_PID = "org.daig.provider";
    /** The idle policy's configuration. */
    public static final String POLICY_PID = "org.daig.monitor.policy";
    /** The hours "only at night" allows (local time, as the idle policy reads them). */
    public static final String NIGHT = "22-7";
    /** The most minutes without input the welcome questions offer (a day); the policy itself takes any number from 0. */
    public static final int MAX_IDLE_MINUTES = 1440;

    /** When training may run. */
    public enum When {
        /** when nobody has used the keyboard or mouse for a while */
        IDLE,
        /** at night only, and when idle */
        NIGHT,
        /** whenever there is work, at low priority */
        ALWAYS
    }

    /** What is wrong with the answers, one line per field, named as the dialog names it; empty when they can be applied. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (coordinatorUrl != null) {
            String why = badUrl(coordinatorUrl.strip());
            if (why != null) {
                problems.add("Coordinator address: " + why);
            }
        }
        if (when != When.ALWAYS && (idleMinutes < 1 || idleMinutes > MAX_IDLE_MINUTES)) {
            problems.add("Minutes without input: between 1 and " + MAX_IDLE_MINUTES + ", not " + idleMinutes);
        }
        if (enrolmentCode != null && enrolmentCode.strip().contains(" ")) {
            problems.add("Enrolment code: a code has no spaces; paste it as the admin gave it");
        }
        return problems;
    }

    private static String badUrl(String url) {
        if (url.isEmpty()) {
            return "empty; e.g. https://grid.example.org:7700";
        }
        try {
            URI uri = new URI(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                return "starts with http:// or https://, e.g. https://grid.example.org:7700";
            }
            if (uri.getHost() == null) {
                return "names no host, e.g. https://grid.example.org:7700";
            }
            return null;
        } catch (URISyntaxException e) {
            return "not an address (" + e.getReason() + ")";
        }
    }

    /** The idle policy's values these answers set. */
    public Map<String, Object> policy() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("mode", when == When.ALWAYS ? "always" : "idle");
        if (when != When.ALWAYS) {
            values.put("idleMinutes", idleMinutes);
            values.put("allowedHours", when == When.NIGHT ? NIGHT : "");
        }
        values.put("runOnBattery", onBattery);
        return values;
    }

    /** The provider's values these answers set: empty when they leave the grid as it is. */
    public Map<String, Object> provider() {
        Map<String, Object> values = new LinkedHashMap<>();
        if (coordinatorUrl != null) {
            values.put("coordinatorUrl", coordinatorUrl.strip());
        }
        if (enrolmentCode != null && !enrolmentCode.isBlank()) {
            values.put(".enrolmentCode", enrolmentCode.strip()); // private: DS does not publish it with the service
        }
        return values;
    }
}
