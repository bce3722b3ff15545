package org.daig.accounts.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Accounts, tokens and the HTTP gate. The metatype XML in OSGI-INF/metatype is the published form
 * of this; a unit test and the OSGi test ComponentsTest keep the two equal.
 */
@ObjectClassDefinition(name = "DAIG accounts", description = "Accounts, tokens, sign-up and which HTTP pages need no token.")
public @interface AccountsConfig {

    String PID = "org.daig.accounts";

    @AttributeDefinition(name = "JDBC URL", description = "Empty: an H2 file database in <data>/accounts. For a standby "
            + "coordinator, both coordinators' accounts in one PostgreSQL: jdbc:postgresql://host/db, plus "
            + "dataSourceFactory.target=(osgi.jdbc.driver.class=org.postgresql.Driver).", required = false)
    String jdbcUrl() default "";

    @AttributeDefinition(name = "JDBC user", required = false)
    String jdbcUser() default "";

    /** A private property: the configuration key is {@code .jdbcPassword}, which DS does not publish with the component's service. */
    @AttributeDefinition(name = "JDBC password", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD, required = false)
    String _jdbcPassword() default "";

    @AttributeDefinition(name = "API token lifetime (s)", description = "How long a login (API token) lasts.", min = "1")
    int apiTokenSeconds() default 43200;

    @AttributeDefinition(name = "Device token lifetime (days)", description = "How long a provider's device token lasts before it must be enrolled again.", min = "1")
    int deviceTokenDays() default 365;

    @AttributeDefinition(name = "Login failures allowed", description = "Failed logins per user and per address within the window before further tries are refused (429).", min = "1")
    int maxLoginFailures() default 5;

    @AttributeDefinition(name = "Failure window (minutes)", min = "1")
    int failureWindowMinutes() default 15;

    @AttributeDefinition(name = "Sign-ups per address and hour", description = "When sign-up is open (daig:signup open), accounts one address may create per hour.", min = "1")
    int signUpsPerHour() default 5;

    @AttributeDefinition(name = "Admin password file", description = "First start only: the admin's password is read from this file (else from the environment variable DAIG_ADMIN_PASSWORD, else generated and written to <data>/accounts/admin-password).", required = false)
    String adminPasswordFile() default "";

    @AttributeDefinition(name = "Coordinator client id", description = "An MQTT client id the service token is valid for, besides 'coordinator', 'coordinator-*' (the generated form) and those of this process's coordinator connections.", required = false)
    String coordinatorClientId() default "";

    @AttributeDefinition(name = "Topic root", description = "The MQTT topic root the Mosquitto ACL file is written for.")
    String topicRoot() default "daig/v1";

    @AttributeDefinition(name = "RabbitMQ HTTP auth", description = "Whether /broker-auth/ answers RabbitMQ's HTTP auth backend "
            + "(rabbitmq_auth_backend_http): device and service tokens log in, and the broker ACL is applied to every topic. "
            + "Off: /broker-auth/ answers 404.")
    boolean brokerAuthHttp() default false;

    @AttributeDefinition(name = "RabbitMQ HTTP auth secret file", description = "The password RabbitMQ sends (HTTP Basic, user "
            + "'rabbitmq') with every /broker-auth/ request; relative to <data>/accounts; created with a random secret when missing.")
    String brokerAuthSecretFile() default "broker-auth-secret";

    @AttributeDefinition(name = "Public status", description = "Whether /status and /api/status answer without a token.")
    boolean publicStatus() default false;

    @AttributeDefinition(name = "Public metrics", description = "Whether /metrics answers without a token (e.g. for a Prometheus on a private network).")
    boolean publicMetrics() default false;
}
