package org.daig.accounts.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.daig.accounts.internal.AccountsConfig;
import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answers RabbitMQ's HTTP auth backend gets, without a servlet container (RabbitClusterTest
 * runs the coordinator product behind a real RabbitMQ cluster).
 */
class BrokerAuthServletTest {

    private static final Identity P1 = new Identity("vol", Set.of(), Scope.DEVICE, "p1", "0123456789abcdef", Long.MAX_VALUE);
    private static final Identity SERVICE = new Identity("daig-service", Set.of(), Scope.SERVICE, null, "fedcba9876543210", Long.MAX_VALUE);

    /** Accounts that know the device token "t1" of p1 and the service token "s" (for coordinator names). */
    private static final Accounts ACCOUNTS = new Accounts() {
        @Override
        public Optional<Identity> verify(String token) {
            return Optional.empty();
        }

        @Override
        public Optional<Identity> verifyClient(String username, String password) {
            if ("t1".equals(password) && "p1".equals(username)) {
                return Optional.of(P1);
            }
            return "s".equals(password) && username.startsWith("coordinator") ? Optional.of(SERVICE) : Optional.empty();
        }
    };

    private static AccountsConfig config(boolean on) {
        return (AccountsConfig) Proxy.newProxyInstance(AccountsConfig.class.getClassLoader(), new Class<?>[] { AccountsConfig.class },
                (proxy, m, args) -> switch (m.getName()) {
                case "brokerAuthHttp" -> on;
                case "annotationType" -> AccountsConfig.class;
                default -> m.getDefaultValue();
                });
    }

    private static BrokerAuthServlet servlet(Path dir, boolean on) throws Exception {
        BrokerAuthServlet servlet = new BrokerAuthServlet();
        servlet.configure(config(on), dir);
        servlet.bind(ACCOUNTS);
        return servlet;
    }

    private static boolean ask(BrokerAuthServlet servlet, String path, String... keyValues) {
        Map<String, String> params = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        return servlet.decide(path, params::get);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void offByDefaultAndThenNoSecretIsMade(@TempDir Path dir) throws Exception {
        BrokerAuthServlet servlet = servlet(dir, false);
        assertFalse(servlet.fromBroker(basic("rabbitmq", "")));
        assertFalse(Files.exists(dir.resolve("broker-auth-secret")));
    }

    @Test
    void onlyTheBrokerWithTheSecretMayAsk(@TempDir Path dir) throws Exception {
        BrokerAuthServlet servlet = servlet(dir, true);
        String secret = Files.readString(dir.resolve("broker-auth-secret")).strip();
        assertEquals(43, secret.length(), "32 random bytes, base64url");
        assertTrue(servlet.fromBroker(basic("rabbitmq", secret)));
        assertFalse(servlet.fromBroker(basic("rabbitmq", secret + "x")));
        assertFalse(servlet.fromBroker(basic("admin", secret)));
        assertFalse(servlet.fromBroker("Bearer " + secret));
        assertFalse(servlet.fromBroker("Basic !!!"));
        assertFalse(servlet.fromBroker(null));
        assertTrue(servlet(dir, true).fromBroker(basic("rabbitmq", secret)), "the secret is kept across restarts");
    }

    @Test
    void loginsAreDeviceAndServiceTokensBoundToTheirClientIds(@TempDir Path dir) throws Exception {
        BrokerAuthServlet servlet = servlet(dir, true);
        assertTrue(ask(servlet, "/user", "username", "p1", "password", "t1"));
        assertFalse(ask(servlet, "/user", "username", "p2", "password", "t1"), "p1's token under another client id");
        assertFalse(ask(servlet, "/user", "username", "p1", "password", "wrong"));
        assertFalse(ask(servlet, "/user", "username", "guest", "password", "guest"), "RabbitMQ's default user is nobody here");
        assertFalse(ask(servlet, "/user", "username", "p1"));
        assertTrue(ask(servlet, "/user", "username", "coordinator-a", "password", "s"));
        assertFalse(ask(servlet, "/nothing", "username", "p1", "password", "t1"));
    }

    @Test
    void topicsFollowTheBrokerAcl(@TempDir Path dir) throws Exception {
        BrokerAuthServlet servlet = servlet(dir, true);
        ask(servlet, "/user", "username", "p1", "password", "t1");
        ask(servlet, "/user", "username", "coordinator-a", "password", "s");
        String[] topic = { "resource", "topic", "name", "amq.topic" };
        assertTrue(ask(servlet, "/topic", cat(topic, "username", "p1", "permission", "write", "routing_key", "daig.v1.providers.p1.presence")));
        assertFalse(ask(servlet, "/topic", cat(topic, "username", "p1", "permission", "write", "routing_key", "daig.v1.providers.p2.presence")));
        assertFalse(ask(servlet, "/topic", cat(topic, "username", "p1", "permission", "read", "routing_key", "daig.v1.providers.*.presence")));
        assertTrue(ask(servlet, "/topic", cat(topic, "username", "coordinator-a", "permission", "read", "routing_key",
                "daig.v1.providers.*.presence")));
        assertFalse(ask(servlet, "/topic", "username", "p1", "resource", "topic", "name", "other", "permission", "write",
                "routing_key", "daig.v1.providers.p1.presence"), "only the MQTT exchange");
        assertTrue(ask(servlet, "/resource", "username", "p1", "resource", "queue", "name", "mqtt-subscription-p1qos1",
                "permission", "configure"));
        assertTrue(ask(servlet, "/vhost", "username", "p1", "vhost", "/"));
    }

    @Test
    void afterACoordinatorRestartAStillConnectedProviderKeepsOnlyADevicesRights(@TempDir Path dir) throws Exception {
        BrokerAuthServlet restarted = servlet(dir, true); // no login seen since the restart
        String[] topic = { "resource", "topic", "name", "amq.topic" };
        assertTrue(ask(restarted, "/topic", cat(topic, "username", "p1", "permission", "write", "routing_key",
                "daig.v1.providers.p1.tasks.result")));
        assertFalse(ask(restarted, "/topic", cat(topic, "username", "p1", "permission", "read", "routing_key", "daig.v1.providers.#")));
        assertFalse(ask(restarted, "/topic", cat(topic, "username", "coordinator-a", "permission", "read", "routing_key",
                "daig.v1.providers.#")), "a coordinator's name gets its rights only from a login");
        assertFalse(ask(restarted, "/topic", cat(topic, "username", "p.1", "permission", "write", "routing_key",
                "daig.v1.providers.p.1.presence")));
    }

    private static String[] cat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
