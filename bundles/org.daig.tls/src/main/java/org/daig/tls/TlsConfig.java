package org.daig.tls;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The metatype XML in OSGI-INF/metatype is the published form of this; a unit test keeps them equal. */
@ObjectClassDefinition(name = "DAIG TLS", description = "The coordinator's certificate and HTTPS.")
public @interface TlsConfig {

    String PID = "org.daig.tls";

    @AttributeDefinition(name = "Mode", description = "auto: TLS when the HTTP listener is reachable beyond loopback; on/off force it.",
            options = { @Option(label = "auto", value = "auto"), @Option(label = "on", value = "on"), @Option(label = "off", value = "off") })
    String mode() default "auto";

    @AttributeDefinition(name = "Certificate (PEM)", description = "The operator's server certificate chain, leaf first. Empty: generate a CA and a server certificate on first start.", required = false)
    String certificateFile() default "";

    @AttributeDefinition(name = "Private key (PEM)", description = "The key of the operator's certificate (PKCS#8, or traditional RSA/EC; not encrypted).", required = false)
    String privateKeyFile() default "";

    @AttributeDefinition(name = "Host names", description = "Names and addresses put in a generated certificate, besides this machine's name, localhost and 127.0.0.1.", required = false)
    String[] hostNames() default {};

    @AttributeDefinition(name = "Folder", description = "Where the key store and the generated CA are kept. Empty: tls/ in the data folder.", required = false)
    String dir() default "";
}
