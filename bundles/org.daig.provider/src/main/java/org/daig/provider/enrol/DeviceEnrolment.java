package org.daig.provider.enrol;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongSupplier;

import org.daig.requestor.AccountClient;
import org.daig.requestor.DeviceFiles;
import org.daig.requestor.RequestorException;
import org.daig.trust.KnownCoordinators;

/**
 * Enrols this provider once: with the admin's enrolment code, or with the volunteer's account
 * (log in, enrol with that session, log out), and keeps the device token in the provider's folder
 * ({@link DeviceFiles}: {@code device-token}, 0600). Never throws for what the coordinator
 * answers: every outcome is a state with a message for the volunteer, and whether trying again
 * later may help (the coordinator was unreachable) or not (a refused code needs a new one).
 * Logs nothing itself, so no secret can reach a log from here.
 */
final class DeviceEnrolment {

    /**
     * What to enrol with.
     *
     * @param coordinator the coordinator's HTTP address
     * @param code        the admin's enrolment code, or blank
     * @param account     the volunteer's account, or blank
     * @param password    its password (from the password file or $DAIG_PASSWORD), or null
     */
    record Means(URI coordinator, String code, String account, char[] password) {
        boolean hasCode() {
            return code != null && !code.isBlank();
        }

        boolean hasAccount() {
            return account != null && !account.isBlank();
        }

        @Override
        public String toString() {
            return "Means[coordinator=" + coordinator + ", account=" + account + "]"; // never the code or the password
        }
    }

    /** An attempt's outcome: the state, and whether to try again later by itself. */
    record Attempt(EnrolmentState state, boolean retry) {
    }

    private static final String CONFIG = "config/org.daig.provider.cfg";

    private final Path folder;
    private final LongSupplier clock;

    /** @param folder the provider's state folder, {@code <daig.data.dir>/provider} */
    DeviceEnrolment(Path folder, LongSupplier clock) {
        this.folder = folder;
        this.clock = clock;
    }

    /** The state the files on disk say; empty-handed (not enrolled) when there is no token. */
    EnrolmentState current(String coordinator, String notEnrolledMessage) {
        if (!DeviceFiles.enrolled(folder)) {
            return EnrolmentState.notEnrolled(coordinator, notEnrolledMessage);
        }
        return DeviceFiles.about(folder)
                .map(a -> new EnrolmentState(true, a.user(), a.device(), a.coordinator(), enrolledLine(a.device(), a.user(), a.coordinator())))
                .orElseGet(() -> new EnrolmentState(true, null, null, coordinator, "enrolled (device token in " + DeviceFiles.tokenFile(folder)
                        + ")"));
    }

    /**
     * Whose device this is and where; over https also the coordinator certificate's fingerprint this
     * provider pinned on first contact, for the volunteer to compare with the one the operator published.
     */
    static String enrolledLine(String device, String user, String coordinator) {
        String line = "enrolled: device " + device + " of account " + user + " at " + coordinator;
        if (coordinator == null || !coordinator.regionMatches(true, 0, "https:", 0, 6)) {
            return line;
        }
        try {
            return line + KnownCoordinators.trust(URI.create(coordinator), null).trusted()
                    .map(f -> "; coordinator certificate SHA-256 " + f + " (pinned)").orElse("; coordinator certificate not pinned yet");
        } catch (IllegalArgumentException notAUrl) {
            return line; // shown as saved
        }
    }

    /** Enrols device {@code deviceId} (shown as {@code name}) with {@code means}; the password is cleared afterwards. */
    Attempt enrol(Means means, String deviceId, String name) {
        String at = means.coordinator().toString();
        try {
            AccountClient.DeviceToken token;
            if (means.hasCode()) {
                token = new AccountClient(means.coordinator(), null).enrolDevice(deviceId, name, means.code().strip());
            } else if (means.hasAccount()) {
                if (means.password() == null || means.password().length == 0) {
                    return new Attempt(EnrolmentState.notEnrolled(at, "not enrolled: account=" + means.account().strip() + " is set in " + CONFIG
                            + " but no password: set passwordFile there (a file with the password on its first line) or $DAIG_PASSWORD"),
                            false);
                }
                token = withAccount(means, deviceId, name);
            } else {
                return new Attempt(EnrolmentState.notEnrolled(at, EnrolmentState.HOW_TO_ENROL), false);
            }
            DeviceFiles.Enrolled saved = DeviceFiles.save(folder, means.coordinator(), token, clock.getAsLong());
            return new Attempt(new EnrolmentState(true, saved.user(), saved.device(), saved.coordinator(),
                    enrolledLine(saved.device(), saved.user(), saved.coordinator())), false);
        } catch (RequestorException e) {
            if (e.unreachable()) {
                return new Attempt(EnrolmentState.notEnrolled(at, "not enrolled yet: cannot reach the coordinator at " + at
                        + " to enrol (trying again)"), true);
            }
            if (e.status() == 401 || e.status() == 403) {
                String what = means.hasCode() ? ": ask your grid's admin for a new enrolment code and put it in " + CONFIG + " (.enrolmentCode=...)"
                        : ": check account and passwordFile in " + CONFIG;
                return new Attempt(EnrolmentState.notEnrolled(at, "not enrolled: " + e.getMessage() + what), false);
            }
            return new Attempt(EnrolmentState.notEnrolled(at, "not enrolled yet: " + e.getMessage() + " (trying again)"), true);
        } catch (IOException e) {
            return new Attempt(EnrolmentState.notEnrolled(at, "not enrolled: the device token could not be kept in " + folder + " ("
                    + e.getMessage() + ")"), false);
        } catch (IllegalArgumentException e) {
            return new Attempt(EnrolmentState.notEnrolled(at, "not enrolled: " + e.getMessage()), false);
        } finally {
            if (means.password() != null) {
                Arrays.fill(means.password(), '\0');
            }
        }
    }

    private static AccountClient.DeviceToken withAccount(Means means, String deviceId, String name) throws RequestorException {
        AccountClient.Session session = new AccountClient(means.coordinator(), null).login(means.account().strip(), means.password());
        AccountClient volunteer = new AccountClient(means.coordinator(), session.token());
        try {
            return volunteer.enrolDevice(deviceId, name, null);
        } finally {
            try {
                volunteer.logout(); // the session was only for enrolling; the device token is what stays
            } catch (RequestorException ignored) {
                // it expires by itself
            }
        }
    }
}
