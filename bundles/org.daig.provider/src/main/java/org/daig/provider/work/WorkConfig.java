package org.daig.provider.work;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "DAIG provider: work", description = "How this machine takes and runs training tasks.")
public @interface WorkConfig {

    String PID = "org.daig.provider.work";

    @AttributeDefinition(name = "Download cache (MB)", description = "Models and data shards kept for the next tasks; least recently used go first.", min = "64")
    int cacheMegabytes() default 4096;

    @AttributeDefinition(name = "Participate at first start", description = "Whether a fresh installation starts participating. Afterwards 'participate' and 'stop' are remembered.")
    boolean participateByDefault() default false;

    @AttributeDefinition(name = "Act slower (benchmarks)", description = "For benchmarks and tests of volunteers of mixed speed: this machine "
            + "acts as one this many times slower, waiting (factor - 1) x its training time before it sends a result. 1: off.", min = "1")
    double slowdownFactor() default 1;

    @AttributeDefinition(name = "Host experts", description = "Whether this machine also hosts experts of experts projects (models larger"
            + " than one machine) while it may work; it gives them back when the machine turns busy.")
    boolean hostExperts() default true;

    @AttributeDefinition(name = "Experts' address", description = "The address this machine's experts are served on when the coordinator"
            + " has no expert relay (trainers must reach it): 127.0.0.1 for one machine, else this machine's address on the network.")
    String expertHost() default "127.0.0.1";

    @AttributeDefinition(name = "Relay CA (PEM)", description = "A certificate or CA (PEM file) to trust for the expert relay's TLS;"
            + " empty: the coordinator's certificate as this provider pinned it.")
    String expertRelayCa() default "";
}
