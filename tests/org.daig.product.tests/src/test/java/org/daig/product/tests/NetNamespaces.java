package org.daig.product.tests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Separate hosts on one machine: Linux network namespaces, each with one interface ({@code eth0})
 * plugged into a bridge that lives in a namespace of its own ({@value #HUB}), so nothing is added
 * to the machine's own network but one veth ({@value #OPERATOR_LINK}) through which the test
 * itself reaches the hosts, as an operator's machine would. Every address is in {@value #SUBNET}0/24,
 * given by the test; no route, gateway or forwarding leads anywhere else. Needs root and iproute2;
 * {@link #close} (and {@link #removeLeftovers} for a run that was killed) removes it all.
 */
final class NetNamespaces implements AutoCloseable {

    static final String PREFIX = "daig-t-";
    static final String HUB = PREFIX + "hub";
    static final String OPERATOR_LINK = "daig-t-op";
    static final String SUBNET = "10.231.77.";
    /** The operator's (the test JVM's) address on the hosts' network. */
    static final String OPERATOR = SUBNET + "1";

    private NetNamespaces() {
    }

    /** Whether {@code ip} and {@code tc} are installed. */
    static boolean toolsInstalled() {
        boolean ip = new File("/usr/sbin/ip").canExecute() || new File("/sbin/ip").canExecute();
        boolean tc = new File("/usr/sbin/tc").canExecute() || new File("/sbin/tc").canExecute();
        return ip && tc;
    }

    /** The hub with its bridge and the operator's link; add hosts with {@link #host}. */
    static NetNamespaces create() throws IOException, InterruptedException {
        removeLeftovers();
        for (String route : run(List.of("ip", "route", "show", "match", SUBNET + "2")).split("\n")) {
            if (!route.isBlank() && !route.startsWith("default")) {
                throw new IOException(SUBNET + "0/24 is routed on this machine already (" + route.strip() + "): the test's hosts would hide it");
            }
        }
        NetNamespaces net = new NetNamespaces();
        try {
            ip("netns", "add", HUB);
            ip("-n", HUB, "link", "set", "lo", "up");
            ip("-n", HUB, "link", "add", "br0", "type", "bridge");
            ip("-n", HUB, "link", "set", "br0", "up");
            ip("link", "add", OPERATOR_LINK, "type", "veth", "peer", "name", "v-op", "netns", HUB);
            ip("-n", HUB, "link", "set", "v-op", "master", "br0", "up");
            ip("addr", "add", OPERATOR + "/24", "dev", OPERATOR_LINK);
            ip("link", "set", OPERATOR_LINK, "up");
        } catch (IOException | InterruptedException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /** Namespace {@code daig-t-<name>} with address {@code 10.231.77.<octet>} on its eth0, plugged into the bridge. */
    String host(String name, int octet) throws IOException, InterruptedException {
        String ns = PREFIX + name;
        String address = SUBNET + octet;
        ip("netns", "add", ns);
        ip("-n", ns, "link", "set", "lo", "up");
        ip("link", "add", "v-" + name, "netns", HUB, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", HUB, "link", "set", "v-" + name, "master", "br0", "up");
        return address;
    }

    /**
     * A token bucket of {@code mbit} Mbit/s on {@code name}'s link, both ways: on its eth0 for what
     * it sends, on the bridge's port for what it receives ({@code tc qdisc ... tbf}).
     */
    void limit(String name, int mbit) throws IOException, InterruptedException {
        for (List<String> side : List.of(List.of(PREFIX + name, "eth0"), List.of(HUB, "v-" + name))) {
            run(List.of("ip", "netns", "exec", side.get(0), "tc", "qdisc", "add", "dev", side.get(1), "root", "tbf", "rate", mbit + "mbit",
                    "burst", "32kb", "latency", "200ms"));
        }
    }

    /** The command line that runs {@code command} inside {@code name}'s namespace. */
    static List<String> in(String name, String... command) {
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", PREFIX + name));
        line.addAll(Arrays.asList(command));
        return line;
    }

    /** Bytes {@code name}'s eth0 has received and sent so far: {rx, tx}. */
    static long[] bytes(String name) throws IOException, InterruptedException {
        String json = run(List.of("ip", "-n", PREFIX + name, "-s", "-j", "link", "show", "dev", "eth0"));
        JsonObject stats = JsonParser.parseString(json).getAsJsonArray().get(0).getAsJsonObject().getAsJsonObject("stats64");
        return new long[] { stats.getAsJsonObject("rx").get("bytes").getAsLong(), stats.getAsJsonObject("tx").get("bytes").getAsLong() };
    }

    /** Removes the namespaces and link a previous run left (killed before its clean-up). */
    static void removeLeftovers() throws IOException, InterruptedException {
        for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
            String ns = line.split("\\s")[0];
            if (ns.startsWith(PREFIX)) {
                run(List.of("ip", "netns", "del", ns));
            }
        }
        if (new File("/sys/class/net/" + OPERATOR_LINK).exists()) {
            run(List.of("ip", "link", "del", OPERATOR_LINK));
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(Arrays.asList(args));
        run(command);
    }

    /** Runs a command to its end; an IOException with its output unless it exits 0. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }

    /** Deletes every namespace (with its interfaces) and the operator's link. */
    @Override
    public void close() throws IOException, InterruptedException {
        removeLeftovers();
    }
}
