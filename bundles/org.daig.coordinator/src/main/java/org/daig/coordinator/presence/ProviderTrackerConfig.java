package org.daig.coordinator.presence;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "DAIG coordinator: provider tracking", description = "How the coordinator keeps its list of providers.")
public @interface ProviderTrackerConfig {

    String PID = "org.daig.coordinator";

    @AttributeDefinition(name = "Forget offline providers after (hours)", description = "A provider offline this long leaves the list (0: never).", min = "0")
    int forgetOfflineAfterHours() default 168;
}
