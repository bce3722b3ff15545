package org.daig.transport.mqtt;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One connection to the control plane. Factory configuration: a process has one per role it
 * plays (the coordinator product one with role "coordinator", the desktop one with "provider").
 * The metatype XML in OSGI-INF/metatype is the published form of this; a unit test keeps them equal.
 */
@ObjectClassDefinition(name = "DAIG MQTT connection", description = "A connection to the DAIG control plane on an MQTT 3.1.1 broker.")
public @interface MqttBusConfig {

    String PID = "org.daig.transport.mqtt";

    @AttributeDefinition(name = "Role", description = "What this process is on the grid: coordinator or provider.")
    String role() default "provider";

    @AttributeDefinition(name = "Broker URL", description = "tcp://host:port or ssl://host:port. The default is the coordinator's embedded broker on this machine.")
    String brokerUrl() default "tcp://127.0.0.1:1883";

    @AttributeDefinition(name = "Client id", description = "Unique id on the broker. Empty: generated once as role-host-random and kept in the data folder.", required = false)
    String clientId() default "";

    @AttributeDefinition(name = "User name", description = "Broker user. Empty: the client id when a password or password file is set (what DAIG's broker expects), else anonymous.", required = false)
    String username() default "";

    @AttributeDefinition(name = "Password", description = "Broker password.", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD, required = false)
    /**
     * A private property: the configuration key is {@code .password} (DS maps the leading {@code _}
     * to {@code .}), which DS does not publish as a service property.
     */
    String _password() default "";

    @AttributeDefinition(name = "Password file", description = "A file holding the password (the token): relative paths are in the data folder, e.g. accounts/service-token (coordinator) or provider/device-token (provider). Read at every connect; while it is missing the connection waits and retries. Wins over the password.", required = false)
    String passwordFile() default "";

    @AttributeDefinition(name = "Pinned certificate file", description = "For ssl:// brokers: where the broker certificate's SHA-256 fingerprint is kept after the first contact (trust on first use; relative: in the data folder). Empty: known-coordinators/host_port in the data folder, shared with HTTPS. Another certificate later is refused.", required = false)
    String trustFile() default "";

    @AttributeDefinition(name = "Certificate fingerprint", description = "For ssl:// brokers: the SHA-256 fingerprint the operator published; checked even on the first contact. Empty: learn it on first contact.", required = false)
    String fingerprint() default "";

    @AttributeDefinition(name = "Topic root", description = "Versioned root of all DAIG topics: two segments, name/vN (the brokers' ACLs expect that shape).")
    String topicRoot() default "daig/v1";

    @AttributeDefinition(name = "Keep-alive (s)", description = "MQTT keep-alive; a dead client is noticed by the broker within 1.5 times this.", min = "2", max = "600")
    int keepAliveSeconds() default 20;

    @AttributeDefinition(name = "Connect timeout (s)", min = "1", max = "300")
    int connectTimeoutSeconds() default 10;

    @AttributeDefinition(name = "First retry delay (ms)", description = "Delay before the first reconnect attempt; it doubles up to the maximum.", min = "50")
    long retryInitialMillis() default 1000;

    @AttributeDefinition(name = "Longest retry delay (ms)", min = "100")
    long retryMaxMillis() default 30000;

    @AttributeDefinition(name = "Largest payload (bytes)", description = "Larger incoming messages are dropped as malformed: control messages are small, data goes over HTTP.", min = "1024")
    int maxPayloadBytes() default 1048576;

    @AttributeDefinition(name = "Repeat presence (s)", description = "Publish this client's presence again every so many seconds (0: only when it connects). For brokers that do not hand retained messages to wildcard subscriptions, such as a RabbitMQ cluster: there, e.g. 30.", min = "0", max = "3600")
    int presenceRepeatSeconds() default 0;

    @AttributeDefinition(name = "In-process route", description = "When the broker is the coordinator's embedded one, in this process: exchange messages with it directly, without a network connection, for all but presence (which needs the broker's last will). Off: everything over the connection, as with any other broker.")
    boolean localRoute() default true;
}
