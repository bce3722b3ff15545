package org.daig.monitor.idle;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The volunteer's idle policy. The published form is OSGI-INF/metatype/org.daig.monitor.policy.xml
 * (written by hand): keep ids and defaults equal, the unit test MetatypeXmlTest and the OSGi test
 * ComponentsTest compare them.
 */
@ObjectClassDefinition(name = "DAIG idle policy", description = "When this computer may train for the grid, and how much of it training may use. Modelled on BOINC's computing preferences.")
public @interface IdlePolicyConfig {

    String PID = "org.daig.monitor.policy";

    @AttributeDefinition(name = "Mode", description = "idle: train only when the rules below allow it (the default). always: train whenever there is work, for servers and demos. never: pause training.",
            options = { @Option(value = "idle"), @Option(value = "always"), @Option(value = "never") })
    String mode() default "idle";

    @AttributeDefinition(name = "Minutes without keyboard or mouse input", description = "Train only after nobody has used the keyboard or mouse for this many minutes; training stops at once when someone does. 0: train also while the computer is in use.", min = "0")
    int idleMinutes() default 3;

    @AttributeDefinition(name = "When the input idle time cannot be read", description = "run: decide by the other rules, above all the CPU load (right for servers without a display). wait: do not train. The idle time cannot be read without an X11 display (headless Linux, Wayland sessions).",
            options = { @Option(value = "run"), @Option(value = "wait") })
    String whenIdleUnknown() default "run";

    @AttributeDefinition(name = "Largest CPU use by other programs (%)", description = "Pause when other programs together use more than this share of all processor cores on two samples in a row (one second apart). 100: no limit.", min = "0", max = "100")
    int maxForeignCpuPercent() default 25;

    @AttributeDefinition(name = "Train while another program uses the GPU", description = "When off, training pauses while another program computes on an NVIDIA GPU (seen with nvidia-smi).")
    boolean allowWhileGpuInUse() default false;

    @AttributeDefinition(name = "Train on battery", description = "When off, training pauses while a laptop runs on battery.")
    boolean runOnBattery() default false;

    @AttributeDefinition(name = "Lowest battery charge (%)", description = "When training on battery is allowed, pause below this charge.", min = "0", max = "100")
    int minBatteryPercent() default 50;

    @AttributeDefinition(name = "Allowed hours", description = "Hours of the day when training may run, in local time: e.g. 22-7 (overnight), 9-17, 9-12,14-17 or 8:30-17. Empty: any time.", required = false)
    String allowedHours() default "";

    @AttributeDefinition(name = "Highest CPU temperature (°C)", description = "Pause while the processor is hotter than this. 0: no limit. Ignored where the OS does not report the temperature.", min = "0")
    int maxCpuTemperature() default 85;

    @AttributeDefinition(name = "Processor threads for training", description = "CPU threads one training worker may use. 0: half of the logical processors, at least one.", min = "0")
    int maxWorkerThreads() default 0;

    @AttributeDefinition(name = "Memory for training", description = "Largest Java heap of a training worker, e.g. 2g or 1500m.")
    String maxWorkerHeap() default "2g";
}
