package org.daig.coordinator.service;

import java.util.List;
import java.util.Locale;

import org.daig.api.project.ProjectView;
import org.daig.coordinator.store.Records.CreditRow;
import org.daig.coordinator.store.Records.LeaseRow;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo: {@code daig:projects}, {@code daig:leases}, {@code daig:credits}, {@code daig:pause|resume|cancel <id>}. */
@Component(service = ProjectCommands.class, property = {
        "osgi.command.scope=daig",
        "osgi.command.function=projects",
        "osgi.command.function=leases",
        "osgi.command.function=credits",
        "osgi.command.function=pause",
        "osgi.command.function=resume",
        "osgi.command.function=cancel" })
public class ProjectCommands {

    @Reference
    private ProjectCatalog projects;

    @Reference
    private ProjectControl control;

    public String projects() throws Exception {
        StringBuilder out = new StringBuilder(String.format("%-14s %-20s %-10s %-9s %-7s %-6s %-9s %-9s%n", "PROJECT", "NAME", "STATE",
                "ROUND", "VERSION", "WORK", "VAL LOSS", "VAL ACC"));
        List<ProjectView> all = projects.projects();
        for (ProjectView p : all) {
            out.append(String.format(Locale.ROOT, "%-14s %-20.20s %-10s %-9s %-7d %-6d %-9s %-9s%n", p.id(), p.spec().name(), p.state(),
                    p.round() + "/" + p.totalRounds(), p.version(), p.contributors(),
                    p.latest() == null ? "-" : num(p.latest().loss()), p.latest() == null ? "-" : num(p.latest().accuracy())));
            if (p.message() != null) {
                out.append("               ").append(p.message()).append(System.lineSeparator());
            }
        }
        return out.append(all.size()).append(all.size() == 1 ? " project" : " projects").toString();
    }

    public String leases() {
        long now = System.currentTimeMillis();
        StringBuilder out = new StringBuilder(String.format("%-18s %-14s %-6s %-6s %-36s %s%n", "LEASE", "PROJECT", "ROUND", "SHARD",
                "PROVIDER", "DEADLINE IN"));
        List<LeaseRow> all = projects.leases();
        for (LeaseRow l : all) {
            out.append(String.format("%-18s %-14s %-6d %-6d %-36s %d s%n", l.id(), l.projectId(), l.round(), l.shard(), l.providerId(),
                    (l.deadline() - now) / 1000));
        }
        return out.append(all.size()).append(all.size() == 1 ? " active lease" : " active leases").toString();
    }

    public String credits() throws Exception {
        StringBuilder out = new StringBuilder(String.format("%-36s %-8s %s%n", "PROVIDER", "TASKS", "CREDIT (TFLOP)"));
        for (CreditRow c : projects.credits()) {
            out.append(String.format(Locale.ROOT, "%-36s %-8d %.6f%n", c.providerId(), c.tasks(), c.amount()));
        }
        return out.toString().stripTrailing();
    }

    public String pause(String id) throws Exception {
        return id + " is " + control.pause(id).state();
    }

    public String resume(String id) throws Exception {
        return id + " is " + control.resume(id).state();
    }

    public String cancel(String id) throws Exception {
        return id + " is " + control.cancel(id).state();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
