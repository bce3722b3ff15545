package org.daig.accounts.internal;

import java.util.Arrays;
import java.util.Set;

import org.daig.api.account.Scope;

/**
 * The broker ACL (docs/protocol.md, "Broker ACL") as RabbitMQ asks for it through its HTTP auth
 * backend: on AMQP routing keys and resources, not MQTT topics.
 *
 * <p>RabbitMQ's MQTT plugin (3.10) turns a topic into a routing key by replacing {@code /} with
 * {@code .} and {@code +} with {@code *}, and routes through the {@code amq.topic} exchange. A
 * {@code .} inside a topic level becomes a word separator too, so a client id with a dot would make
 * {@code providers/p1.x/...} and {@code providers/p1/x/...} the same routing key: such client ids
 * are refused at login ({@link #acceptableUser}), and every decision here is taken on the words of
 * the routing key, which is exactly what RabbitMQ binds and routes on. A device (user name = client
 * id = its id) writes only {@code <root>.providers.<id>[.…]} and reads the coordinators'
 * {@code presence}, {@code info}, {@code projects.*.progress} and {@code to.<id>.…}; the
 * coordinator's service identity reads and writes every routing key; anyone else nothing.
 */
public final class RabbitAcl {

    /** The exchange the MQTT plugin publishes to and binds subscriptions on (mqtt.exchange). */
    public static final String EXCHANGE = "amq.topic";

    private static final int ROOT = 2;
    private static final Set<String> PERMISSIONS = Set.of("configure", "write", "read");

    private RabbitAcl() {
    }

    /** Whether {@code username} may log in at all: a valid client id without a dot (see the class comment). */
    public static boolean acceptableUser(String username) {
        return org.daig.api.bus.Topics.isValidSegment(username) && username.indexOf('.') < 0;
    }

    /** Whether a client may publish with {@code routingKey} (the topic it publishes to, or its last will's). */
    public static boolean mayWrite(Scope scope, String user, String routingKey) {
        if (scope == Scope.SERVICE) {
            return true;
        }
        if (scope != Scope.DEVICE || !acceptableUser(user) || routingKey == null) {
            return false;
        }
        String[] w = routingKey.split("\\.", -1);
        return w.length > ROOT + 1 && literal(w) && w[ROOT].equals("providers") && w[ROOT + 1].equals(user);
    }

    /** Whether a client may bind a subscription with {@code bindingKey} (its topic filter, {@code +} as {@code *}). */
    public static boolean mayRead(Scope scope, String user, String bindingKey) {
        if (scope == Scope.SERVICE) {
            return true;
        }
        if (scope != Scope.DEVICE || !acceptableUser(user) || bindingKey == null) {
            return false;
        }
        String[] w = bindingKey.split("\\.", -1);
        if (w.length < ROOT + 3 || !literal(Arrays.copyOf(w, ROOT + 1)) || !w[ROOT].equals("coordinators")
                || w[ROOT + 1].equals("#") || w[ROOT + 1].isEmpty()) {
            return false;
        }
        String[] rest = Arrays.copyOfRange(w, ROOT + 2, w.length);
        return switch (rest[0]) {
        case "presence", "info" -> rest.length == 1;
        case "projects" -> rest.length == 3 && !rest[1].equals("#") && !rest[1].isEmpty() && rest[2].equals("progress");
        case "to" -> rest.length >= 2 && rest[1].equals(user);
        default -> false;
        };
    }

    /**
     * Whether a client may use a RabbitMQ resource: the {@code amq.topic} exchange (read to bind, write
     * to publish) and its own subscription queues ({@code mqtt-subscription-<client id>qos0|1}); no
     * other exchange or queue, and nothing is configured on the exchange.
     */
    public static boolean mayUse(String user, String resource, String name, String permission) {
        if (!acceptableUser(user) || name == null || !PERMISSIONS.contains(permission)) {
            return false;
        }
        return switch (String.valueOf(resource)) {
        case "exchange" -> name.equals(EXCHANGE) && !permission.equals("configure");
        case "queue" -> name.equals("mqtt-subscription-" + user + "qos0") || name.equals("mqtt-subscription-" + user + "qos1");
        default -> false;
        };
    }

    /** No empty word and no wildcard word. */
    private static boolean literal(String[] words) {
        for (String s : words) {
            if (s.isEmpty() || s.equals("*") || s.equals("#")) {
                return false;
            }
        }
        return true;
    }
}
