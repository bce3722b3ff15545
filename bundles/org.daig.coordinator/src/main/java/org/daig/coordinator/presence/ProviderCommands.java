package org.daig.coordinator.presence;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.daig.api.machine.MachineSummary;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo: {@code daig:providers} lists the providers the coordinator knows. */
@Component(service = ProviderCommands.class, property = {
        "osgi.command.scope=daig",
        "osgi.command.function=providers" })
public class ProviderCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Reference
    private ProviderDirectory directory;

    /** Prints one line per provider: id, state, machine summary, last seen. */
    public String providers() {
        List<ProviderInfo> list = directory.providers();
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-36s %-8s %-6s %-9s %-5s %-19s %s%n", "PROVIDER", "STATE", "CORES", "RAM", "GPUS", "LAST SEEN", "OS"));
        for (ProviderInfo p : list) {
            MachineSummary m = p.machine();
            out.append(String.format("%-36s %-8s %-6s %-9s %-5s %-19s %s%n", p.id(), p.online() ? "online" : "offline",
                    m == null ? "?" : Integer.toString(m.logicalCores()),
                    m == null ? "?" : (m.memoryBytes() >> 20) + " MiB",
                    m == null ? "?" : Integer.toString(m.gpus().size()),
                    TIME.format(Instant.ofEpochMilli(p.lastSeen())), m == null ? "" : m.os()));
        }
        out.append(list.size()).append(list.size() == 1 ? " provider" : " providers");
        List<String> others = directory.otherCoordinators();
        if (!others.isEmpty()) {
            out.append(System.lineSeparator()).append("WARNING: other coordinators on this topic root: ").append(others);
        }
        return out.toString();
    }
}
