package org.daig.itests;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.daig.api.bus.MessageBus;
import org.daig.api.presence.ProviderDirectory;
import org.daig.api.presence.ProviderInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;

/**
 * A small grid inside the test framework: the real DAIG bundles, configured through ConfigAdmin
 * the way the products' config files configure them. Every test gets its own topic root, so
 * retained messages of one test never reach another, and removes its configurations at the end.
 *
 * <p>The embedded broker lets only authenticated clients in (user = client id, password = token):
 * every bus gets a token from {@link TestAccounts}, the framework's stand-in account store, in a
 * file named by its {@code passwordFile}, as the products' buses read theirs.
 */
final class Grid implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger ROOTS = new AtomicInteger();

    final BundleContext context = FrameworkUtil.getBundle(Grid.class).getBundleContext();
    final String topicRoot = "daig-it-" + ProcessHandle.current().pid() + "-" + ROOTS.incrementAndGet() + "/v1";
    private final List<Configuration> configurations = new ArrayList<>();
    final TestAccounts accounts = TestAccounts.get();

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    ConfigurationAdmin configAdmin() {
        return service(ConfigurationAdmin.class, null).orElseThrow(() -> new AssertionError("no ConfigurationAdmin"));
    }

    /** Starts the embedded Moquette broker on a free loopback port and returns its URL. */
    String embeddedBroker(Object... extra) throws IOException {
        int port = freePort();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("mode", "on");
        props.put("host", "127.0.0.1");
        props.put("port", port);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            props.put((String) extra[i], extra[i + 1]);
        }
        // Updated, never deleted: Felix SCR ignores a re-created configuration whose change count
        // is not above the deleted one's, so delete-then-create would leave the old broker running.
        configAdmin().getConfiguration("org.daig.broker", "?").update(props);
        return "tcp://127.0.0.1:" + port;
    }

    /**
     * Creates a bus (factory configuration of org.daig.transport.mqtt) and returns its config. Unless
     * {@code extra} sets credentials, the bus logs in with a fresh token of its role (a device token
     * for a provider, a service token for a coordinator) from a password file.
     */
    Configuration bus(String role, String clientId, String brokerUrl, String... extra) throws IOException {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("role", role);
        props.put("clientId", clientId);
        props.put("brokerUrl", brokerUrl);
        props.put("topicRoot", topicRoot);
        props.put("keepAliveSeconds", 5);
        props.put("retryInitialMillis", 200L);
        props.put("retryMaxMillis", 1000L);
        boolean ownCredentials = false;
        for (int i = 0; i + 1 < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
            ownCredentials |= List.of("username", ".password", "passwordFile").contains(extra[i]);
        }
        if (!ownCredentials) {
            java.nio.file.Path tokenFile = accounts.tokenFile(role, clientId);
            props.put("passwordFile", tokenFile.toString());
            if ("provider".equals(role)) {
                // the provider's blob downloads use the device token enrolment keeps in <data>/provider/device-token
                java.nio.file.Path device = java.nio.file.Path.of(System.getProperty("daig.data.dir", "daig-data"), "provider", "device-token");
                java.nio.file.Files.createDirectories(device.getParent());
                java.nio.file.Files.writeString(device, java.nio.file.Files.readString(tokenFile).trim());
            }
        }
        Configuration config = configAdmin().getFactoryConfiguration("org.daig.transport.mqtt", clientId, "?");
        config.update(props);
        configurations.add(config);
        return config;
    }

    void update(String pid, Dictionary<String, Object> props) throws IOException {
        Configuration config = configAdmin().getConfiguration(pid, "?");
        config.update(props);
        configurations.add(config);
    }

    /**
     * Whether the tray asks its welcome questions when it appears next (as its Preferences would
     * set it); waits until SCR holds the setting, so the tray cannot start from the old one.
     */
    void welcomeQuestions(boolean ask) throws IOException {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("firstRun", ask);
        update("org.daig.ui.tray", props);
        await("the tray's firstRun=" + ask + " known to SCR", () -> {
            ServiceComponentRuntime scr = service(ServiceComponentRuntime.class, null).orElseThrow();
            return scr.getComponentDescriptionDTOs().stream().filter(d -> d.name.equals("org.daig.ui.tray.TrayApp"))
                    .flatMap(d -> scr.getComponentConfigurationDTOs(d).stream())
                    .anyMatch(c -> Boolean.valueOf(ask).equals(c.properties.get("firstRun")));
        });
    }

    /** Sets the coordinator's spot checks (org.daig.coordinator.projects) and waits until they are in force. */
    void spotChecks(double rate, int newDevices) throws IOException {
        checks(rate, newDevices, 0);
    }

    /** Sets the coordinator's spot checks and replication rate and waits until they are in force. */
    void checks(double rate, int newDevices, double replication) throws IOException {
        Dictionary<String, Object> props = new java.util.Hashtable<>();
        props.put("spotCheckRate", rate);
        props.put("spotCheckNewDevices", newDevices);
        props.put("replicationRate", replication);
        update("org.daig.coordinator.projects", props);
        await("spot checks at rate " + rate + " and " + newDevices + " per new device, replication " + replication, () -> serviceMatching(
                "(&(objectClass=org.daig.coordinator.service.SpotChecks)(spotCheckRate=" + rate + ")(spotCheckNewDevices=" + newDevices
                        + ")(replicationRate=" + replication + "))").isPresent());
    }

    <T> Optional<T> service(Class<T> type, String filter) {
        try {
            for (ServiceReference<T> ref : context.getServiceReferences(type, filter)) {
                T service = context.getService(ref);
                if (service != null) {
                    return Optional.of(service);
                }
            }
            return Optional.empty();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Runs the coordinator's Gogo command daig:{@code function} with string arguments, as an operator would; returns its output. */
    String gogo(String function, String... args) throws Exception {
        Object command = serviceMatching("(&(osgi.command.scope=daig)(osgi.command.function=" + function + "))")
                .orElseThrow(() -> new AssertionError("no daig:" + function + " command"));
        Class<?>[] types = new Class<?>[args.length];
        java.util.Arrays.fill(types, String.class);
        return String.valueOf(command.getClass().getMethod(function, types).invoke(command, (Object[]) args));
    }

    /** Any service matching an LDAP filter (e.g. a Gogo command, registered under its own class). */
    Optional<Object> serviceMatching(String filter) {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
            return refs == null || refs.length == 0 ? Optional.empty() : Optional.ofNullable(context.getService(refs[0]));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    Optional<MessageBus> bus(String clientId) {
        return service(MessageBus.class, "(" + MessageBus.CLIENT_ID + "=" + clientId + ")");
    }

    MessageBus awaitConnected(String clientId) {
        await("bus " + clientId + " connected", () -> bus(clientId).map(MessageBus::isConnected).orElse(false));
        return bus(clientId).orElseThrow();
    }

    ProviderDirectory directory() {
        return service(ProviderDirectory.class, null).orElseThrow(() -> new AssertionError("no ProviderDirectory: coordinator bundle inactive?"));
    }

    Optional<ProviderInfo> provider(String id) {
        return service(ProviderDirectory.class, null).flatMap(d -> d.providers().stream().filter(p -> p.id().equals(id)).findFirst());
    }

    /** Waits until the provider is online with its machine summary, as the coordinator sees it. */
    ProviderInfo awaitProviderServing(String id) {
        await("provider " + id + " online with its machine summary at the coordinator",
                () -> provider(id).map(p -> p.online() && p.machine() != null).orElse(false));
        return provider(id).orElseThrow();
    }

    /** The HTTP whiteboard's base URL (a free port each run), without a trailing slash. */
    String httpBase() {
        return eventually("the HTTP endpoint", () -> {
            var ref = context.getServiceReference(HttpServiceRuntime.class);
            Object e = ref == null ? null : ref.getProperty("osgi.http.endpoint");
            String url = e instanceof String s ? s : e instanceof String[] a && a.length > 0 ? a[0] : null;
            return url == null ? null : url.replaceAll("/$", "");
        });
    }

    /**
     * A POST to the provider's loopback port with the local token, as the volunteer's own tools send
     * it (the token file is created by the provider in its data folder; waited for, as the provider
     * may still be starting).
     */
    static java.net.http.HttpRequest providerPost(String url) {
        java.nio.file.Path file = java.nio.file.Path.of(System.getProperty("daig.data.dir", "daig-data"), "provider", "local-token");
        String token = eventually("the provider's local token in " + file, () -> {
            try {
                return java.nio.file.Files.readString(file).trim();
            } catch (IOException notYet) {
                return null;
            }
        });
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Authorization", "Bearer " + token)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
    }

    /**
     * The admin's password the coordinator generated at its first start (org.daig.accounts writes it
     * to {@code <daig.data.dir>/accounts/admin-password}); waited for, as the accounts may still be starting.
     */
    static String adminPassword() {
        java.nio.file.Path file = java.nio.file.Path.of(System.getProperty("daig.data.dir", "daig-data"), "accounts", "admin-password");
        return eventually("the admin password in " + file, () -> {
            try {
                return java.nio.file.Files.readString(file).trim();
            } catch (IOException notYet) {
                return null;
            }
        });
    }

    /** {@code POST /api/v1/login} with a user and password: the answer as it comes (status and JSON body). */
    java.net.http.HttpResponse<String> loginResponse(String user, String password) throws IOException, InterruptedException {
        com.google.gson.JsonObject body = new com.google.gson.JsonObject();
        body.addProperty("user", user);
        body.addProperty("password", password);
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(httpBase() + "/api/v1/login"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Logs in and returns the bearer token, waiting while the login endpoint is not served yet (404,
     * 503); any other answer than 200 fails at once (a retried wrong password would count as guessing).
     */
    String login(String user, String password) {
        java.net.http.HttpResponse<String> response = eventually("the login endpoint", () -> {
            try {
                java.net.http.HttpResponse<String> r = loginResponse(user, password);
                return r.statusCode() == 404 || r.statusCode() == 503 ? null : r;
            } catch (IOException notYet) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        if (response.statusCode() != 200) {
            throw new AssertionError("login of " + user + " answered " + response.statusCode() + ": " + response.body());
        }
        return com.google.gson.JsonParser.parseString(response.body()).getAsJsonObject().get("token").getAsString();
    }

    /** The admin's token: logs in as {@code admin} with the generated password (see {@link #adminPassword()}). */
    String adminToken() {
        return login("admin", adminPassword());
    }

    Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    /** Polls a condition every 50 ms until it holds; fails with the description after the timeout. */
    static void await(String what, BooleanSupplier condition) {
        await(what, condition, TIMEOUT);
    }

    static void await(String what, BooleanSupplier condition, Duration timeout) {
        await(what, timeout, POLL, condition::getAsBoolean);
    }

    /** As above, with its own poll interval, for a condition that may throw (which fails the wait). */
    static void await(String what, Duration timeout, Duration poll, Callable<Boolean> condition) {
        until(what, timeout, poll, condition, Boolean.TRUE::equals);
    }

    /** Polls until {@code value} gives non-null; returns it, or fails with the description after {@link #TIMEOUT}. */
    static <T> T eventually(String what, Supplier<T> value) {
        return until(what, TIMEOUT, POLL, value::get, Objects::nonNull);
    }

    private static final Duration POLL = Duration.ofMillis(50);

    /**
     * The one waiting loop of these tests (Awaitility): the condition runs on the calling thread (as
     * UI and /proc checks need), first at once, then every {@code poll}; what it throws fails the wait
     * at once; uncaught exceptions of other threads are left to their handlers.
     */
    private static <T> T until(String what, Duration timeout, Duration poll, Callable<T> value, Predicate<? super T> done) {
        try {
            return Awaitility.await(what).atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(poll)
                    .dontCatchUncaughtExceptions().until(value, done);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Timed out after " + timeout.toMillis() / 1000.0 + " s waiting for: " + what, e);
        }
    }

    @Override
    public void close() throws IOException {
        for (int i = configurations.size() - 1; i >= 0; i--) {
            try {
                configurations.get(i).delete();
            } catch (IllegalStateException alreadyDeleted) {
                // deleted by the test itself
            }
        }
    }
}
