package org.daig.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;

/**
 * A stand-in for the accounts bundle in the OSGi tests: an {@link Accounts} service that knows the
 * tokens the tests hand out (a device token per provider client id, a service token per
 * coordinator client id), registered once per framework with a high ranking, so the embedded
 * broker asks it even where the real accounts bundle runs too. The broker's enforcement is the
 * thing under test here; the account store has its own tests. Tokens it did not issue go to the
 * real accounts service, so logins, admin tokens and enrolled devices work as in the product.
 */
final class TestAccounts implements Accounts {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile TestAccounts registered;

    private final Map<String, Identity> byToken = new ConcurrentHashMap<>();

    /** The framework's instance, registered on first use. */
    static synchronized TestAccounts get() {
        if (registered == null) {
            TestAccounts accounts = new TestAccounts();
            BundleContext context = FrameworkUtil.getBundle(TestAccounts.class).getBundleContext();
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(Constants.SERVICE_RANKING, 1000);
            props.put(Constants.SERVICE_DESCRIPTION, "DAIG OSGi tests: accounts stand-in");
            context.registerService(Accounts.class, accounts, props);
            registered = accounts;
        }
        return registered;
    }

    /** A fresh device token bound to provider {@code clientId}. */
    String device(String clientId) {
        return issue(new Identity("volunteer-of-" + clientId, Set.of(Role.VOLUNTEER), Scope.DEVICE, clientId, "tid-" + clientId,
                Long.MAX_VALUE));
    }

    /** A fresh service token for coordinator {@code clientId}. */
    String service(String clientId) {
        return issue(new Identity(clientId, Set.of(), Scope.SERVICE, null, "tid-" + clientId, Long.MAX_VALUE));
    }

    /** The token for a bus of {@code role} written to a file, as the accounts bundle and enrolment write theirs. */
    Path tokenFile(String role, String clientId) {
        String token = "coordinator".equals(role) ? service(clientId) : device(clientId);
        Path file = Path.of(System.getProperty("daig.data.dir", "daig-data"), "itest-tokens", clientId);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, token + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toAbsolutePath();
    }

    private String issue(Identity identity) {
        String token = "daig_" + identity.tokenId() + "_" + HexFormat.of().formatHex(bytes());
        byToken.put(token, identity);
        return token;
    }

    private static byte[] bytes() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return secret;
    }

    @Override
    public Optional<Identity> verify(String token) {
        Identity issued = token == null ? null : byToken.get(token);
        return issued != null ? Optional.of(issued) : real().flatMap(accounts -> accounts.verify(token));
    }

    @Override
    public Optional<Identity> verifyClient(String username, String password) {
        Identity issued = password == null ? null : byToken.get(password);
        if (issued == null) {
            return real().flatMap(accounts -> accounts.verifyClient(username, password));
        }
        return Optional.of(issued).filter(who -> who.scope() == Scope.DEVICE ? username.equals(who.device())
                : who.scope() == Scope.SERVICE && username.equals(who.user()));
    }

    /** The accounts bundle's service, when it runs. */
    private Optional<Accounts> real() {
        BundleContext context = FrameworkUtil.getBundle(TestAccounts.class).getBundleContext();
        try {
            for (var ref : context.getServiceReferences(Accounts.class, "(!(" + Constants.SERVICE_DESCRIPTION + "=DAIG OSGi tests*))")) {
                Accounts accounts = context.getService(ref);
                if (accounts != null) {
                    return Optional.of(accounts);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return Optional.empty();
    }
}
