package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo: {@code daig:volunteers} lists volunteer devices' standing (as {@code daig admin
 * volunteers} does over HTTP); {@code daig:volunteers reset DEVICE} lifts a device's ban.
 */
@Component(service = VolunteerCommands.class, property = {
        "osgi.command.scope=daig",
        "osgi.command.function=volunteers" })
public class VolunteerCommands {

    @Reference
    private VolunteerReputation reputation;

    public String volunteers() throws SQLException {
        List<VolunteerReputation.Volunteer> all = reputation.volunteers();
        StringBuilder out = new StringBuilder(String.format("%-24s %-16s %9s %8s %-7s %s%n", "DEVICE", "ACCOUNT", "ACCEPTED", "INVALID",
                "BANNED", "LAST REFUSAL"));
        for (VolunteerReputation.Volunteer v : all) {
            out.append(String.format(Locale.ROOT, "%-24s %-16s %9d %8d %-7s %s%n", v.providerId(), v.account() == null ? "-" : v.account(),
                    v.accepted(), v.invalid(), v.banned() ? "yes" : "no", v.lastVerdict() == null ? "-" : v.lastVerdict() + ": " + v.lastReason()));
        }
        return out.append(all.size()).append(all.size() == 1 ? " device" : " devices").toString();
    }

    public String volunteers(String action, String device) throws SQLException {
        if (!"reset".equals(action)) {
            return "usage: daig:volunteers [reset DEVICE]";
        }
        return reputation.reset(device) ? "Reset " + device + ": it gets tasks again." : device + " had no invalid results; nothing to lift.";
    }
}
