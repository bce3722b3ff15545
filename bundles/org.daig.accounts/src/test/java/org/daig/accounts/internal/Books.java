package org.daig.accounts.internal;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.daig.accounts.AccountException;
import org.daig.api.account.Role;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Account books on a real H2 file database in a test's folder, with a clock the test turns and
 * a fixed-seed random (SHA1PRNG, seeded: the same ids every run). PBKDF2 runs with 1,000
 * iterations here: the production count is checked once in PasswordsTest.
 */
final class Books {

    static final String PASSWORD = "correct horse battery";
    static final long START = 1_700_000_000_000L;

    final AtomicLong now = new AtomicLong(START);
    final Path folder;
    private int opened;

    Books(Path folder) {
        this.folder = folder;
    }

    static SecureRandom seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    AccountDatabase database() throws SQLException {
        JdbcDataSource source = new JdbcDataSource();
        String url = "jdbc:h2:" + folder.resolve("accounts").toAbsolutePath() + ";WRITE_DELAY=0";
        source.setURL(url);
        return new AccountDatabase(source, url);
    }

    Book open(Settings settings) throws SQLException {
        SecureRandom random = seeded(42 + opened++); // fixed seeds, but a reopened book must not repeat the ids it issued
        return new Book(database(), settings, new Passwords(1_000, random), random, now::get);
    }

    Book open() throws SQLException {
        return open(Settings.defaults());
    }

    /** An AccountBook that can be closed and whose bus client id a test can set. */
    static final class Book extends AccountBook implements AutoCloseable {
        volatile Set<String> busClientIds = Set.of();

        Book(AccountDatabase db, Settings settings, Passwords passwords, SecureRandom random, java.util.function.LongSupplier clock)
                throws SQLException {
            super(db, settings, passwords, random, clock);
        }

        @Override
        protected Set<String> busClientIds() {
            return busClientIds;
        }

        Session user(String name, Role... roles) throws AccountException {
            createUser(name, PASSWORD, Set.of(roles));
            return login(name, PASSWORD, "10.0.0.1");
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
