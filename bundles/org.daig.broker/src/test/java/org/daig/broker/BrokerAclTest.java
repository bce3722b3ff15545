package org.daig.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.stream.Stream;

import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The broker's ACL as a table: provider p1 (a device), the coordinator (service), a person's API token. */
class BrokerAclTest {

    static final Identity P1 = new Identity("alice", Set.of(Role.VOLUNTEER), Scope.DEVICE, "p1", "t1", Long.MAX_VALUE);
    static final Identity COORDINATOR = new Identity("coordinator-x", Set.of(), Scope.SERVICE, null, "t2", Long.MAX_VALUE);
    static final Identity PERSON = new Identity("alice", Set.of(Role.VOLUNTEER, Role.ADMIN), Scope.API, null, "t3", Long.MAX_VALUE);

    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of("own presence", P1, "daig/v1/providers/p1/presence", true),
                Arguments.of("own task request, on a test root", P1, "daig-it-7-1/v1/providers/p1/tasks/request", true),
                Arguments.of("another provider's presence", P1, "daig/v1/providers/p2/presence", false),
                Arguments.of("a provider whose id starts with its own", P1, "daig/v1/providers/p10/info", false),
                Arguments.of("under the coordinators", P1, "daig/v1/coordinators/c1/to/p2/tasks", false),
                Arguments.of("a coordinator's presence", P1, "daig/v1/coordinators/c1/presence", false),
                Arguments.of("its own id as the root's kind", P1, "daig/providers/p1/presence", false),
                Arguments.of("a one-segment root", P1, "x/providers/p1", false),
                Arguments.of("outside DAIG's layout", P1, "something/else", false),
                Arguments.of("a wildcard in the root", P1, "+/v1/providers/p1/presence", false),
                Arguments.of("an empty root segment", P1, "/v1/providers/p1/presence", false),
                Arguments.of("a person's API token", PERSON, "daig/v1/providers/p1/presence", false),
                Arguments.of("nobody", null, "daig/v1/providers/p1/presence", false),
                Arguments.of("the coordinator, its own reply", COORDINATOR, "daig/v1/coordinators/coordinator-x/to/p1/tasks", true),
                Arguments.of("the coordinator, anywhere", COORDINATOR, "daig/v1/providers/p1/presence", true));
    }

    static Stream<Arguments> reads() {
        return Stream.of(
                Arguments.of("coordinators' presence", P1, "daig/v1/coordinators/+/presence", true),
                Arguments.of("one coordinator's info", P1, "daig/v1/coordinators/c1/info", true),
                Arguments.of("progress of every project", P1, "daig/v1/coordinators/+/projects/+/progress", true),
                Arguments.of("replies to itself", P1, "daig/v1/coordinators/+/to/p1/tasks", true),
                Arguments.of("everything addressed to itself", P1, "daig/v1/coordinators/+/to/p1/#", true),
                Arguments.of("replies to every provider", P1, "daig/v1/coordinators/+/to/+/tasks", false),
                Arguments.of("replies to another provider", P1, "daig/v1/coordinators/c1/to/p2/tasks", false),
                Arguments.of("everything of the coordinators", P1, "daig/v1/coordinators/#", false),
                Arguments.of("everything of one coordinator", P1, "daig/v1/coordinators/c1/#", false),
                Arguments.of("a coordinator's unknown subtopic", P1, "daig/v1/coordinators/c1/secrets", false),
                Arguments.of("every project topic", P1, "daig/v1/coordinators/c1/projects/#", false),
                Arguments.of("the providers' presence", P1, "daig/v1/providers/+/presence", false),
                Arguments.of("its own subtree (write-only)", P1, "daig/v1/providers/p1/#", false),
                Arguments.of("everything", P1, "#", false),
                Arguments.of("every root's coordinators", P1, "+/+/coordinators/+/presence", false),
                Arguments.of("presence with a tail", P1, "daig/v1/coordinators/+/presence/#", false),
                Arguments.of("a person's API token", PERSON, "daig/v1/coordinators/+/presence", false),
                Arguments.of("nobody", null, "daig/v1/coordinators/+/presence", false),
                Arguments.of("the coordinator, every provider", COORDINATOR, "daig/v1/providers/+/tasks/+", true));
    }

    @ParameterizedTest(name = "write {0}: {3}")
    @MethodSource("writes")
    void write(String name, Identity who, String topic, boolean allowed) {
        assertEquals(allowed, BrokerAcl.mayWrite(who, topic), name + ": " + topic);
    }

    @ParameterizedTest(name = "read {0}: {3}")
    @MethodSource("reads")
    void read(String name, Identity who, String filter, boolean allowed) {
        assertEquals(allowed, BrokerAcl.mayRead(who, filter), name + ": " + filter);
    }
}
