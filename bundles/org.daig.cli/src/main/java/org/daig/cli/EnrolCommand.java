package org.daig.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.daig.cli.Commands.CoordinatorOption;
import org.daig.requestor.AccountClient;
import org.daig.requestor.DeviceFiles;
import org.daig.requestor.RequestorException;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Enrols the provider of a data folder on a coordinator, for headless machines: the device token
 * goes into {@code DIR/provider/device-token} (0600), where the provider's connection looks for it.
 * The device id is the provider's MQTT client id ({@code DIR/provider.client-id}, made here the way
 * the provider makes it when it does not exist yet).
 */
@Command(name = "enrol", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Enrols this machine's provider on a coordinator (for headless volunteers).",
                "With an enrolment code from the grid's admin, your volunteer account (--user;",
                "the password as for 'daig login'), or your saved login. Writes the device",
                "token into DIR/provider/device-token (readable by you only); the provider",
                "connects with it from then on. Exits 3 when the code or account is refused." })
final class EnrolCommand implements Callable<Integer> {

    /** Where the provider's bus keeps its client id: {@code <data>/<role>.client-id}. */
    static final String CLIENT_ID_FILE = "provider.client-id";

    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorOption coordinatorOption;

    static final class How {
        @Option(names = "--code", paramLabel = "CODE", description = "an enrolment code from the grid's admin")
        String code;

        @Option(names = "--user", paramLabel = "NAME", description = "your volunteer account")
        String user;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    How how;

    @Option(names = "--password-file", paramLabel = "FILE", description = "with --user: a file whose first line is the password")
    Path passwordFile;

    @Option(names = "--data", paramLabel = "DIR", description = "the provider's data folder (default: this product's, $DAIG_DATA_DIR)")
    Path data;

    @Option(names = "--name", paramLabel = "NAME", description = "how the machine shows in lists (default: the host name)")
    String name;

    @Option(names = "--force", description = "enrol again although a device token exists (the old token is revoked)")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Context context = Commands.context(spec);
        URI coordinator = coordinatorOption.coordinator();
        Path dataDir = data != null ? data : context.dataDir();
        Path providerFolder = dataDir.resolve("provider");
        if (DeviceFiles.enrolled(providerFolder) && !force) {
            throw new CliFailure("this provider is enrolled already (" + DeviceFiles.tokenFile(providerFolder)
                    + "); --force enrols it again and revokes the old token");
        }
        String device = deviceId(dataDir);
        String display = name != null ? name : hostName();
        AccountClient.DeviceToken token;
        try {
            token = enrol(context, coordinator, device, display);
        } catch (RequestorException e) { // a refused code, account or login: exit 3, as for a failed login
            throw e.status() == 401 || e.status() == 403 ? new CliFailure(e.getMessage(), Daig.NOT_LOGGED_IN)
                    : Commands.failure(e, coordinator, context);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        DeviceFiles.save(providerFolder, coordinator, token, System.currentTimeMillis());
        context.out().println("Enrolled device " + token.device() + " (" + display + ") for account " + token.user() + " at " + coordinator + ".");
        context.out().println("Its token is in " + DeviceFiles.tokenFile(providerFolder) + " (readable by you only);"
                + " the provider connects with it within seconds, or at its next start.");
        return 0;
    }

    private AccountClient.DeviceToken enrol(Context context, URI coordinator, String device, String display) throws Exception {
        if (how != null && how.code != null) {
            return new AccountClient(coordinator, null).enrolDevice(device, display, how.code.strip());
        }
        if (how != null && how.user != null) {
            AccountClient.requireName("--user", how.user);
            char[] password = Passwords.existing(context, passwordFile, "Password for " + how.user + " at " + coordinator + ": ");
            AccountClient.Session session;
            try {
                session = new AccountClient(coordinator, null).login(how.user, password);
            } finally {
                Arrays.fill(password, '\0');
            }
            AccountClient asVolunteer = new AccountClient(coordinator, session.token());
            try {
                return asVolunteer.enrolDevice(device, display, null);
            } finally {
                try {
                    asVolunteer.logout(); // the session was only for this; the device token is what stays
                } catch (RequestorException ignored) {
                    // it expires anyway
                }
            }
        }
        String token = Commands.token(context, coordinator);
        if (token == null) {
            throw new CliFailure("how should this provider enrol? give --code CODE (from the grid's admin) or --user NAME,"
                    + " or log in first (daig login --coordinator " + coordinator + ")");
        }
        return new AccountClient(coordinator, token).enrolDevice(device, display, null);
    }

    /** The provider's client id from its data folder; made and kept there when it has none yet. */
    static String deviceId(Path dataDir) throws IOException {
        Path file = dataDir.resolve(CLIENT_ID_FILE);
        if (Files.isRegularFile(file)) {
            String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (AccountClient.NAME.matcher(stored).matches()) {
                return stored;
            }
        }
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String host = hostName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-").replaceAll("^-|-$", "");
        host = host.isEmpty() ? "host" : host.length() > 32 ? host.substring(0, 32) : host;
        String id = "provider-" + host + "-" + HexFormat.of().formatHex(random);
        Files.createDirectories(dataDir);
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "host";
        }
    }
}
