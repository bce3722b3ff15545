package org.daig.trainer.launcher;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "DAIG trainer launcher", description = "Where the trainer runtime is and where its workers keep their files.")
public @interface WorkerLauncherConfig {

    String PID = "org.daig.trainer.launcher";

    @AttributeDefinition(name = "Trainer runtime folder", description = "Folder with the trainer jar and its lib/ folder. Empty: the framework property daig.worker.dir, else worker/ in the product.", required = false)
    String runtimeDir() default "";

    @AttributeDefinition(name = "Java home", description = "The Java that runs workers. Empty: the one running this process.", required = false)
    String javaHome() default "";

    @AttributeDefinition(name = "Work folder", description = "JavaCPP's native cache and worker crash logs. Empty: worker/ in the data folder.", required = false)
    String workDir() default "";

    @AttributeDefinition(name = "Sandbox", description = "auto: workers for strangers' input run under bubblewrap (no network, read-only except the data folder) where it is installed and works; off: never.",
            options = { @org.osgi.service.metatype.annotations.Option(label = "auto", value = "auto"),
                    @org.osgi.service.metatype.annotations.Option(label = "off", value = "off") })
    String sandbox() default "auto";
}
