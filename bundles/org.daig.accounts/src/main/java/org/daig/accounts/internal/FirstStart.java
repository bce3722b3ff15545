package org.daig.accounts.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.daig.accounts.AccountException;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.daig.api.account.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a coordinator needs before anyone can log in: an admin account when there is none, and the
 * coordinator's own service token in {@code <data>/accounts/service-token} (0600), which its MQTT
 * connection reads. The admin's password comes from the configured file, else from the environment
 * variable {@value #ADMIN_PASSWORD_ENV}, else it is generated, printed once on standard output and
 * written to {@code <data>/accounts/admin-password} (0600). A configured password is never printed.
 */
public final class FirstStart {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD_ENV = "DAIG_ADMIN_PASSWORD";
    public static final String ADMIN_PASSWORD_FILE = "admin-password";
    public static final String SERVICE_TOKEN_FILE = "service-token";

    private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);

    private final AccountBook book;
    private final Path dir;

    /** {@code dir}: the accounts folder, {@code <data>/accounts}. */
    public FirstStart(AccountBook book, Path dir) {
        this.book = book;
        this.dir = dir;
    }

    /**
     * Creates the admin when the users table is empty.
     *
     * @param passwordFile the configured password file, blank for none
     * @param env          the environment (System::getenv)
     * @param out          where a generated password is shown once (System.out)
     * @return whether an admin was created
     */
    public boolean ensureAdmin(String passwordFile, Function<String, String> env, PrintStream out) throws IOException, AccountException {
        if (book.tx(AccountStore::countUsers) > 0) {
            return false;
        }
        String password;
        String source;
        if (passwordFile != null && !passwordFile.isBlank()) {
            Path file = Path.of(passwordFile.trim());
            password = SecretFiles.readLine(file).orElseThrow(() -> new IOException(
                    "adminPasswordFile " + file + " (configuration " + AccountsConfig.PID + ") does not exist"));
            source = "the file " + file;
        } else if (env.apply(ADMIN_PASSWORD_ENV) != null && !env.apply(ADMIN_PASSWORD_ENV).isBlank()) {
            password = env.apply(ADMIN_PASSWORD_ENV).strip();
            source = "the environment variable " + ADMIN_PASSWORD_ENV;
        } else {
            password = book.secrets.newPassword();
            source = null;
        }
        try {
            Names.password(password);
        } catch (AccountException e) {
            throw new AccountException(e.reason(), "the admin password from " + source + " is not usable: " + e.getMessage());
        }
        if (source == null) {
            Path file = dir.resolve(ADMIN_PASSWORD_FILE);
            SecretFiles.write(file, password + "\n"); // before the account exists: a failure here leaves the next start to try again
            book.createUser(ADMIN, password, Set.of(Role.ADMIN, Role.REQUESTOR));
            out.println("DAIG first start: created the account 'admin' with the password " + password
                    + " (also in " + file.toAbsolutePath() + ", readable only by this user; this is the only time it is shown)");
            out.flush();
            LOG.warn("First start: created the account 'admin' (roles admin, requestor); its password is in {} (mode 0600)",
                    file.toAbsolutePath());
        } else {
            book.createUser(ADMIN, password, Set.of(Role.ADMIN, Role.REQUESTOR));
            LOG.info("First start: created the account 'admin' (roles admin, requestor) with the password from {}", source);
        }
        return true;
    }

    /**
     * Makes sure {@code <data>/accounts/service-token} holds a live service token: kept as it is
     * when it still verifies (stable across restarts), otherwise a new one replaces every older one.
     *
     * @return whether a new token was written
     */
    public boolean ensureServiceToken() throws IOException, SQLException {
        Path file = dir.resolve(SERVICE_TOKEN_FILE);
        Optional<String> stored = SecretFiles.readLine(file);
        Optional<Identity> identity = stored.flatMap(book.tokens::verify);
        if (identity.isPresent() && identity.get().scope() == Scope.SERVICE) {
            return false;
        }
        long now = book.clock.getAsLong();
        TokenBook.Issued issued = book.db.transaction(c -> {
            AccountStore.revokeScope(c, Scope.SERVICE, now);
            return book.tokens.issue(c, Names.SERVICE_USER, Scope.SERVICE, null, Long.MAX_VALUE);
        });
        book.tokens.forgetChecks();
        SecretFiles.write(file, issued.token() + "\n");
        LOG.info("Service token {} for the coordinator's MQTT connection written to {}{}", issued.tokenId(), file.toAbsolutePath(),
                stored.isPresent() ? " (the previous one no longer verified)" : "");
        return true;
    }
}
