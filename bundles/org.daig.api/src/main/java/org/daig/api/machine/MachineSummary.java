package org.daig.api.machine;

import java.util.List;

/**
 * A machine's static description, published by a provider when it connects.
 *
 * @param os             operating system name and version, e.g. "Debian GNU/Linux 12 (bookworm)"
 * @param arch           CPU architecture as Java reports it, e.g. "amd64"
 * @param cpuModel       processor name
 * @param physicalCores  physical cores
 * @param logicalCores   hardware threads
 * @param memoryBytes    total RAM
 * @param gpus           graphics cards; empty when none is visible
 */
public record MachineSummary(String os, String arch, String cpuModel, int physicalCores,
        int logicalCores, long memoryBytes, List<Gpu> gpus) {

    public MachineSummary {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
    }

    /**
     * @param name        card name
     * @param vendor      vendor
     * @param memoryBytes video memory, 0 when unknown
     */
    public record Gpu(String name, String vendor, long memoryBytes) {
    }
}
