package org.daig.provider;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "DAIG provider", description = "The volunteer side: announces this machine to the coordinator.")
public @interface ProviderConfig {

    String PID = "org.daig.provider";

    @AttributeDefinition(name = "Display name", description = "How this machine appears to the coordinator. Empty: the host name.", required = false)
    String displayName() default "";

    @AttributeDefinition(name = "Coordinator", description = "Client id of the coordinator to work for; answers from any other are ignored. Empty: the only one online on the topic root (with two online, no task is taken).", required = false)
    String coordinatorId() default "";

    @AttributeDefinition(name = "Coordinator address", description = "The coordinator's HTTP address, where this machine enrols.")
    String coordinatorUrl() default "http://127.0.0.1:7700";

    @AttributeDefinition(name = "Enrolment code", description = "A code from the grid's admin; used once, while this machine has no device token.",
            type = AttributeType.PASSWORD, required = false)
    /** A private property: the key is {@code .enrolmentCode}, which DS does not publish with the services. */
    String _enrolmentCode() default "";

    @AttributeDefinition(name = "Account", description = "Instead of a code: your volunteer account, to enrol this machine with.", required = false)
    String account() default "";

    @AttributeDefinition(name = "Password file", description = "With an account: a file with its password on the first line (relative: in the data folder). Empty: $DAIG_PASSWORD.",
            required = false)
    String passwordFile() default "";
}
