package org.daig.provider;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "DAIG provider", description = "The volunteer side: announces this machine to the coordinator.")
public @interface ProviderConfig {

    String PID = "org.daig.provider";

    @AttributeDefinition(name = "Display name", description = "How this machine appears to the coordinator. Empty: the host name.", required = false)
    String displayName() default "";

    @AttributeDefinition(name = "Coordinator", description = "Client id of the coordinator to work for; answers from any other are ignored. Empty: the only one online on the topic root (with two online, no task is taken).", required = false)
    String coordinatorId() default "";
}
