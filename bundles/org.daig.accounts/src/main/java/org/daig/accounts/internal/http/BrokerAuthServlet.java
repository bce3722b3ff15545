package org.daig.accounts.internal.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.daig.accounts.internal.AccountsConfig;
import org.daig.accounts.internal.Log;
import org.daig.accounts.internal.Names;
import org.daig.accounts.internal.RabbitAcl;
import org.daig.accounts.internal.SecretFiles;
import org.daig.accounts.internal.Secrets;
import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Scope;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * RabbitMQ's HTTP auth backend (rabbitmq_auth_backend_http) asks here who may log in and what each
 * client may use: {@code /broker-auth/user}, {@code vhost}, {@code resource} and {@code topic},
 * answered {@code allow} or {@code deny} (docs/operations.md, "A broker cluster"). A login is
 * {@link Accounts#verifyClient} (user name = client id, password = device or service token), as on
 * the embedded broker; topics and resources follow {@link RabbitAcl}. Off unless
 * {@code brokerAuthHttp} is set (404), and then only for requests that carry the secret of
 * {@code brokerAuthSecretFile} as HTTP Basic password (401 otherwise): nobody but the broker may
 * ask. Outside {@code /api/v1/}, so the bearer-token gate does not apply.
 */
@Component(service = Servlet.class, configurationPid = AccountsConfig.PID, property = {
        "osgi.http.whiteboard.servlet.pattern=/broker-auth/*",
        "osgi.http.whiteboard.servlet.name=daig-broker-auth" })
public class BrokerAuthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BrokerAuthServlet.class);
    static final String BROKER_USER = "rabbitmq";

    @Reference
    private transient Accounts accounts;

    private volatile boolean enabled;
    private volatile byte[] secret;
    private volatile String coordinatorClientId = "";
    /** How each user last logged in: the scope its topic and resource checks are decided with. */
    private final transient Map<String, Scope> logins = new ConcurrentHashMap<>();

    @Activate
    @Modified
    void configure(BundleContext context, AccountsConfig config) throws IOException {
        String data = context.getProperty("daig.data.dir");
        Path folder = Path.of(data == null || data.isBlank() ? "daig-data" : data).resolve("accounts");
        configure(config, folder);
    }

    void configure(AccountsConfig config, Path folder) throws IOException {
        coordinatorClientId = config.coordinatorClientId();
        enabled = config.brokerAuthHttp();
        if (!enabled) {
            secret = null;
            return;
        }
        Path file = folder.resolve(config.brokerAuthSecretFile());
        Optional<String> existing = SecretFiles.readLine(file);
        String value = existing.filter(s -> !s.isBlank()).orElse(null);
        if (value == null) {
            value = new Secrets(new SecureRandom()).newSecret(32);
            SecretFiles.write(file, value + "\n");
            LOG.info("RabbitMQ HTTP auth: wrote a new secret to {}; RabbitMQ sends it as the password of user '{}' "
                    + "(docs/operations.md, \"A broker cluster\")", file, BROKER_USER);
        }
        secret = value.getBytes(StandardCharsets.UTF_8);
        LOG.info("RabbitMQ HTTP auth is on at /broker-auth/ (the secret is in {})", file);
    }

    void bind(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        doPost(request, response);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!enabled) {
            Http.error(response, 404, "RabbitMQ HTTP auth is off (brokerAuthHttp in org.daig.accounts)");
            return;
        }
        if (!fromBroker(request.getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"daig-broker-auth\"");
            Http.error(response, 401, "only the broker may ask here: send the secret of brokerAuthSecretFile as HTTP Basic password");
            return;
        }
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        boolean allow = decide(path, request::getParameter);
        response.setStatus(200);
        response.setContentType("text/plain");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(allow ? "allow" : "deny");
    }

    /** Whether the Authorization header carries {@link #BROKER_USER} and the secret. */
    boolean fromBroker(String header) {
        byte[] expected = secret;
        if (expected == null || header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon > 0 && pair.substring(0, colon).equals(BROKER_USER)
                && MessageDigest.isEqual(expected, pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
    }

    /** The answer to one of the backend's questions ({@code path}: /user, /vhost, /resource, /topic). */
    boolean decide(String path, Function<String, String> param) {
        String user = param.apply("username");
        return switch (path) {
        case "/user" -> login(user, param.apply("password"));
        case "/vhost" -> scope(user) != null;
        case "/resource" -> scope(user) != null && RabbitAcl.mayUse(user, param.apply("resource"), param.apply("name"),
                param.apply("permission"));
        case "/topic" -> RabbitAcl.EXCHANGE.equals(param.apply("name")) && "topic".equals(param.apply("resource")) && topic(user,
                param.apply("permission"), param.apply("routing_key"));
        default -> false;
        };
    }

    private boolean login(String user, String password) {
        if (user != null && !RabbitAcl.acceptableUser(user)) {
            LOG.warn("RabbitMQ login refused for '{}': RabbitMQ makes a '.' in a client id a topic level, so such ids "
                    + "cannot be told apart there; use a client id without '.'", Log.safe(user));
            return false;
        }
        Optional<Identity> identity = accounts.verifyClient(user, password);
        if (identity.isEmpty()) {
            return false; // what the user logged in as before stays: a stranger's failed try changes nothing
        }
        logins.put(user, identity.get().scope());
        return true;
    }

    /**
     * The scope a user logged in with. RabbitMQ asks about users it authenticated here; a user that
     * logged in before this coordinator restarted is a device unless its name is a coordinator's
     * (then its own process reconnects and logs in again).
     */
    private Scope scope(String user) {
        if (user == null || !RabbitAcl.acceptableUser(user)) {
            return null;
        }
        Scope known = logins.get(user);
        if (known != null) {
            return known;
        }
        return Names.isCoordinator(user, coordinatorClientId) ? null : Scope.DEVICE;
    }

    private boolean topic(String user, String permission, String routingKey) {
        Scope scope = scope(user);
        boolean allowed = "write".equals(permission) ? RabbitAcl.mayWrite(scope, user, routingKey)
                : "read".equals(permission) && RabbitAcl.mayRead(scope, user, routingKey);
        if (!allowed) {
            LOG.info("RabbitMQ: {} refused to '{}' on '{}'", permission == null ? "access" : Log.safe(permission), Log.safe(user),
                    Log.safe(routingKey));
        }
        return allowed;
    }
}
