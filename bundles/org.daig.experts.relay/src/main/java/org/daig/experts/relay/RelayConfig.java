package org.daig.experts.relay;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "DAIG expert relay", description = "Expert calls (mixture-of-experts projects) for hosts behind NAT: hosts connect out with their device token, callers with theirs; TLS when the coordinator's TLS is on.")
public @interface RelayConfig {

    String PID = "org.daig.experts.relay";

    @AttributeDefinition(name = "Port", description = "0 (the default) keeps the relay off.", min = "0", max = "65535")
    int port() default 0;

    @AttributeDefinition(name = "Listen address", description = "127.0.0.1 keeps the relay on this machine; without the coordinator's TLS, any other address is refused (tokens would cross the network in the clear).")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Largest tensor (bytes)", description = "Each call's and answer's tensors are refused above this size before they are read.", min = "1024")
    long maxPayloadBytes() default 67108864L;
}
