package org.daig.accounts.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.daig.accounts.AccountAdmin.BrokerFiles;
import org.daig.accounts.internal.AccountStore.TokenRow;
import org.daig.api.account.Scope;
import org.daig.api.bus.Topics;

/**
 * Mosquitto's password file and ACL file for the grid (docs/protocol.md, "Broker ACL"): one
 * password line per live device token (user = the device's client id) and one for the service
 * token (user = the coordinator's client id); providers write only their own subtree and read the
 * coordinators' state and the replies addressed to them; the coordinator reads and writes the root.
 * Mosquitto reads both files at start and on SIGHUP.
 */
public final class MosquittoFiles {

    private MosquittoFiles() {
    }

    /**
     * The files for {@code live} tokens (live device and service tokens, oldest first: a newer token
     * of the same client wins), the coordinator's client ids (the service token's users) and the topic root.
     */
    public static BrokerFiles of(List<TokenRow> live, List<String> coordinatorIds, String topicRoot) {
        for (String id : coordinatorIds) {
            Topics.clientTree(Topics.COORDINATOR, id); // refuses a client id that is not a valid topic segment
        }
        Map<String, String> lines = new TreeMap<>();
        for (TokenRow t : live) {
            if (t.mosquittoHash() == null) {
                continue;
            }
            if (t.scope() == Scope.DEVICE && Topics.isValidSegment(t.device()) && !coordinatorIds.contains(t.device())) {
                lines.put(t.device(), t.mosquittoHash());
            } else if (t.scope() == Scope.SERVICE) {
                coordinatorIds.forEach(id -> lines.put(id, t.mosquittoHash()));
            }
        }
        StringBuilder passwords = new StringBuilder();
        lines.forEach((user, hash) -> passwords.append(user).append(':').append(hash).append('\n'));
        return new BrokerFiles(passwords.toString(), acl(coordinatorIds, topicRoot));
    }

    static String acl(List<String> coordinatorIds, String topicRoot) {
        String root = topicRoot == null || topicRoot.isBlank() ? Topics.DEFAULT_ROOT : topicRoot;
        if (root.contains("+") || root.contains("#") || root.chars().anyMatch(ch -> ch <= ' ')) {
            throw new IllegalArgumentException("topicRoot '" + Log.safe(root) + "' may not contain wildcards, spaces or control characters");
        }
        return String.join("\n",
                "# DAIG broker ACL for Mosquitto (written by the coordinator; user name = MQTT client id).",
                "# Providers write only their own subtree and read the coordinators' state and the replies to them.",
                "pattern write " + root + "/providers/%u/#",
                "pattern read " + root + "/coordinators/+/presence",
                "pattern read " + root + "/coordinators/+/info",
                "pattern read " + root + "/coordinators/+/projects/+/progress",
                "pattern read " + root + "/coordinators/+/to/%u/#",
                "",
                "# The coordinator reads and writes everything under the root.",
                "") + coordinatorIds.stream().map(id -> "user " + id + "\ntopic readwrite " + root + "/#\n").collect(Collectors.joining());
    }
}
