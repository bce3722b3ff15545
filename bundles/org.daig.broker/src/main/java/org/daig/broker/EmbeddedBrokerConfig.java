package org.daig.broker;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "DAIG embedded MQTT broker", description = "The Moquette broker the coordinator runs for single-machine and small setups.")
public @interface EmbeddedBrokerConfig {

    String PID = "org.daig.broker";

    @AttributeDefinition(name = "Mode", description = "auto: run when a DAIG MQTT connection of this process points at this broker's port on loopback (the default), so setting an external broker URL switches it off. on/off force it.",
            options = { @Option(value = "auto"), @Option(value = "on"), @Option(value = "off") })
    String mode() default "auto";

    @AttributeDefinition(name = "Listen address", description = "127.0.0.1 keeps the broker on this machine; 0.0.0.0 opens it to the network.")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", min = "1", max = "65535")
    int port() default 1883;

    @AttributeDefinition(name = "TLS port", description = "MQTT over TLS, when the coordinator's TLS is on (org.daig.tls); the plain port then stays closed unless the broker listens on loopback only.", min = "1", max = "65535")
    int tlsPort() default 8883;

    @AttributeDefinition(name = "Allow anonymous clients", description = "false (the default): every client logs in with user name = its client id and its token, and may only use its own topics. true: anyone who reaches the port may pose as any provider or coordinator; only for a machine nobody else can reach.")
    boolean allowAnonymous() default false;

    @AttributeDefinition(name = "Largest message (bytes)", min = "1024")
    int maxMessageBytes() default 2097152;
}
