package org.daig.monitor.idle;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hours of the day when training may run: "" (any time), "9-17", "22-7" (overnight: a range whose
 * end is before its start wraps past midnight), "9-12,14-17", "8:30-17:15". A range includes its
 * start and excludes its end; a range from a time to the same time is the whole day, as in BOINC.
 */
public final class AllowedHours {

    private static final Pattern RANGE = Pattern.compile("(\\d{1,2})(?::(\\d{2}))?\\s*-\\s*(\\d{1,2})(?::(\\d{2}))?");

    /** Start and end in minutes of the day; end may be 1440 (24:00). */
    private record Range(int start, int end) {

        boolean contains(int minute) {
            if (start == end || (start == 0 && end == 1440)) {
                return true;
            }
            return start < end ? minute >= start && minute < end : minute >= start || minute < end;
        }
    }

    private final List<Range> ranges;

    private AllowedHours(List<Range> ranges) {
        this.ranges = ranges;
    }

    /**
     * @throws IllegalArgumentException when the text is not a comma list of ranges
     */
    public static AllowedHours parse(String text) {
        List<Range> ranges = new ArrayList<>();
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) {
            return new AllowedHours(ranges);
        }
        for (String part : trimmed.split(",", -1)) {
            Matcher m = RANGE.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a range of hours: \"" + part.trim() + "\"");
            }
            ranges.add(new Range(minuteOfDay(m.group(1), m.group(2)), minuteOfDay(m.group(3), m.group(4))));
        }
        return new AllowedHours(ranges);
    }

    /** Whether training may run at this local time; always true when no range is given. */
    public boolean allows(LocalTime time) {
        int minute = time.getHour() * 60 + time.getMinute();
        return ranges.isEmpty() || ranges.stream().anyMatch(r -> r.contains(minute));
    }

    private static int minuteOfDay(String hours, String minutes) {
        int h = Integer.parseInt(hours);
        int m = minutes == null ? 0 : Integer.parseInt(minutes);
        if (h > 24 || m > 59 || (h == 24 && m > 0)) {
            throw new IllegalArgumentException("not a time of day: " + hours + (minutes == null ? "" : ":" + minutes));
        }
        return h * 60 + m;
    }
}
