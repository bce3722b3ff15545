package org.daig.monitor;

import java.util.ArrayList;
import java.util.List;

import org.daig.api.machine.MachineInfo;
import org.daig.api.machine.MachineSummary;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GraphicsCard;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.software.os.OperatingSystem;

/**
 * The machine summary from OSHI. It is read once: what it describes does not change while the
 * process runs, and OSHI's first reads cost tens of milliseconds. Anything OSHI cannot read (no
 * graphics cards on a VM, for one) is a normal answer, not an error.
 */
@Component
public class OshiMachineInfo implements MachineInfo {

    private static final Logger LOG = LoggerFactory.getLogger(OshiMachineInfo.class);

    private volatile MachineSummary summary;

    @Override
    public MachineSummary summary() {
        MachineSummary result = summary;
        if (result == null) {
            result = read();
            summary = result;
        }
        return result;
    }

    private static MachineSummary read() {
        String arch = System.getProperty("os.arch", "unknown");
        try {
            SystemInfo system = new SystemInfo();
            HardwareAbstractionLayer hardware = system.getHardware();
            OperatingSystem os = system.getOperatingSystem();
            CentralProcessor cpu = hardware.getProcessor();
            List<MachineSummary.Gpu> gpus = new ArrayList<>();
            for (GraphicsCard card : hardware.getGraphicsCards()) {
                gpus.add(new MachineSummary.Gpu(card.getName(), card.getVendor(), card.getVRam()));
            }
            return new MachineSummary(os.toString(), arch, cpu.getProcessorIdentifier().getName().trim(),
                    cpu.getPhysicalProcessorCount(), cpu.getLogicalProcessorCount(),
                    hardware.getMemory().getTotal(), gpus);
        } catch (RuntimeException | LinkageError e) {
            // OSHI needs JNA's native library; without it, fall back to what the JVM knows.
            LOG.warn("Machine details unavailable from OSHI ({}); reporting what Java knows", e.toString());
            int cores = Runtime.getRuntime().availableProcessors();
            return new MachineSummary(System.getProperty("os.name") + " " + System.getProperty("os.version"), arch,
                    "unknown", cores, cores, Runtime.getRuntime().maxMemory(), List.of());
        }
    }
}
