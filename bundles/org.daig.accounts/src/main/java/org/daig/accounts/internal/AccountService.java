package org.daig.accounts.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.daig.accounts.AccountAdmin;
import org.daig.accounts.AccountException;
import org.daig.api.account.Accounts;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.Topics;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's accounts as a service ({@link Accounts} for every gate, {@link AccountAdmin}
 * for the account endpoints and Gogo): its own H2 database in {@code <daig.data.dir>/accounts/},
 * and at start the admin account and the service token ({@link FirstStart}). If this component
 * cannot start, the HTTP filter refuses every guarded request (503): the API never opens by failure.
 */
@Component(service = { Accounts.class, AccountAdmin.class }, immediate = true, configurationPid = AccountsConfig.PID)
@Designate(ocd = AccountsConfig.class)
public class AccountService extends AccountBook {

    private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);

    /** How often the devices seen are written (AccountBook#writeSeen). */
    private static final long WRITE_SEEN_SECONDS = 5;

    private final Map<MessageBus, String> buses = new ConcurrentHashMap<>();
    private final ScheduledExecutorService seenWriter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "daig-accounts-seen");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public AccountService(BundleContext context, AccountsConfig config,
            @Reference(name = "dataSourceFactory", target = "(osgi.jdbc.driver.class=org.h2.Driver)") DataSourceFactory dataSourceFactory)
            throws SQLException, IOException, AccountException {
        super(open(dataSourceFactory, config, folder(context)), Settings.of(config), new Passwords(new SecureRandom()), new SecureRandom(),
                System::currentTimeMillis);
        try {
            FirstStart first = new FirstStart(this, folder(context));
            first.ensureAdmin(config.adminPasswordFile(), System::getenv, System.out);
            first.ensureServiceToken();
            LOG.info("Accounts: database {} (schema {}), {} user(s), sign-up {}", db.url(), db.schemaVersion(),
                    tx(AccountStore::countUsers), signUpOpen() ? "open" : "closed");
        } catch (IOException | AccountException | SQLException | RuntimeException e) {
            LOG.error("Accounts cannot start: {}. Every request that needs a token is refused until this is fixed.", e.getMessage());
            seenWriter.shutdownNow();
            db.close();
            throw e;
        }
        seenWriter.scheduleWithFixedDelay(this::writeSeen, WRITE_SEEN_SECONDS, WRITE_SEEN_SECONDS, TimeUnit.SECONDS);
    }

    /** {@code <daig.data.dir>/accounts} (daig-data without the property). */
    static Path folder(BundleContext context) {
        String data = context.getProperty("daig.data.dir");
        return Path.of(data == null || data.isBlank() ? "daig-data" : data).resolve("accounts");
    }

    private static AccountDatabase open(DataSourceFactory factory, AccountsConfig config, Path folder) throws SQLException, IOException {
        SecretFiles.privateDirectory(folder);
        String url = config.jdbcUrl().isBlank()
                ? "jdbc:h2:" + folder.resolve("accounts").toAbsolutePath() + ";WRITE_DELAY=0" // durable at commit
                : config.jdbcUrl().trim();
        Properties props = new Properties();
        props.setProperty(DataSourceFactory.JDBC_URL, url);
        if (!config.jdbcUser().isBlank()) {
            props.setProperty(DataSourceFactory.JDBC_USER, config.jdbcUser());
            props.setProperty(DataSourceFactory.JDBC_PASSWORD, config._jdbcPassword());
        }
        String shown = url.replaceAll("password=[^;&]*", "password=***");
        try {
            return new AccountDatabase(factory.createDataSource(props), shown);
        } catch (SQLException e) {
            throw new SQLException("cannot open the account database " + shown + ": " + e.getMessage()
                    + (config.jdbcUrl().isBlank() ? " (is another coordinator using the same data folder?)" : " (check jdbcUrl in "
                            + AccountsConfig.PID + ")"), e);
        }
    }

    /**
     * This process's coordinator connections (the transport registers each with its client id
     * before it connects): the service token is valid for their client ids.
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + MessageBus.ROLE + "=" + Topics.COORDINATOR + ")")
    void addBus(MessageBus bus, Map<String, Object> properties) {
        if (properties.get(MessageBus.CLIENT_ID) instanceof String id) {
            buses.put(bus, id);
            if (!Names.isCoordinator(id, settings().coordinatorClientId())) {
                LOG.info("The service token is valid for this coordinator's MQTT client id '{}' (an external broker's files"
                        + " from daig:brokerconfig name it too)", Log.safe(id));
            }
        }
    }

    void removeBus(MessageBus bus) {
        buses.remove(bus);
    }

    @Override
    protected Set<String> busClientIds() {
        return Set.copyOf(buses.values());
    }

    @Modified
    void modified(AccountsConfig config) {
        configure(Settings.of(config));
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        seenWriter.shutdown();
        seenWriter.awaitTermination(10, TimeUnit.SECONDS);
        writeSeen();
        db.close();
    }
}
