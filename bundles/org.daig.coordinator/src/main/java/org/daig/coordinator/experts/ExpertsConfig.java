package org.daig.coordinator.experts;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Experts projects on the coordinator (docs/experts.md, "Experts projects on the grid"). */
@ObjectClassDefinition(pid = ExpertsConfig.PID, name = "DAIG experts projects",
        description = "How the coordinator hands out the hosting of experts projects' cells and runs their DHT's first peer")
public @interface ExpertsConfig {

    String PID = "org.daig.coordinator.experts";

    @AttributeDefinition(name = "Hosting lease (s)", description = "How long a provider hosts a group of cells without renewing;"
            + " a group whose host stops renewing goes to another provider after this, from its newest checkpoint")
    long leaseSeconds() default 120;

    @AttributeDefinition(name = "Checkpoint interval (s)", description = "How often hosts upload their experts' parameters")
    long checkpointSeconds() default 60;

    @AttributeDefinition(name = "DHT address", description = "The address the coordinator's DHT peers bind, one per running project on"
            + " a free UDP port (127.0.0.1: this machine only; 0.0.0.0: every interface)")
    String dhtHost() default "127.0.0.1";

    @AttributeDefinition(name = "Advertised host", description = "The host name or address hosts and trainers reach the coordinator's"
            + " DHT peers and relay at; empty: the DHT address")
    String advertisedHost() default "";

    @AttributeDefinition(name = "Relay port", description = "The port of the coordinator's expert relay (org.daig.experts.relay),"
            + " which hosts behind NAT serve through; 0: hosts serve directly on their own address")
    int relayPort() default 0;
}
