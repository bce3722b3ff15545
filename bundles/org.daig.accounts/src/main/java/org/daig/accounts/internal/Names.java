package org.daig.accounts.internal;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

import org.daig.accounts.AccountException;
import org.daig.accounts.AccountException.Reason;
import org.daig.api.account.Role;
import org.daig.api.bus.Topics;

/**
 * What names, passwords, roles and device ids may be (docs/security.md, "Account endpoints"), and
 * which MQTT client ids are reserved for the coordinator: {@code coordinator}, {@code coordinator-*}
 * (the form the MQTT transport generates for the coordinator role) and one configured id
 * ({@link AccountBook#isCoordinatorClient} adds this process's own coordinator connections). The
 * service token is valid only for those names and no device may be enrolled under them, so a
 * provider can never hold a coordinator's name on the broker.
 */
public final class Names {

    /** The account name service tokens carry; reserved, so no person can hold it. */
    public static final String SERVICE_USER = "daig-service";
    public static final int MIN_PASSWORD = 12;
    public static final int MAX_PASSWORD = 1024;
    static final int MAX_DEVICE_NAME = 200;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Names() {
    }

    public static String user(String name) throws AccountException {
        if (name == null || !USER.matcher(name).matches()) {
            throw invalid("user: 1-64 of the characters a-z A-Z 0-9 . _ -");
        }
        if (name.equals(SERVICE_USER)) {
            throw invalid("user: '" + SERVICE_USER + "' is reserved");
        }
        return name;
    }

    /** Whether {@code name} could be an account at all (login counts failures for any name, but keys only valid ones). */
    public static boolean isUser(String name) {
        return name != null && USER.matcher(name).matches();
    }

    public static String password(String password) throws AccountException {
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw invalid("password: " + MIN_PASSWORD + "-" + MAX_PASSWORD + " characters");
        }
        return password;
    }

    public static Set<Role> roles(Collection<String> ids) throws AccountException {
        if (ids == null || ids.isEmpty()) {
            throw invalid("roles: at least one of requestor, volunteer, admin");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String id : ids) {
            roles.add(Role.parse(id).orElseThrow(() -> invalid("roles: '" + Log.safe(id) + "' is not one of requestor, volunteer, admin")));
        }
        return roles;
    }

    public static String deviceId(String id, String coordinatorClientId) throws AccountException {
        if (!Topics.isValidSegment(id)) {
            throw invalid("deviceId: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (isCoordinator(id, coordinatorClientId)) {
            throw invalid("deviceId: '" + id + "' is reserved for the coordinator");
        }
        return id;
    }

    /** A device's display name: printable, at most 200 characters; empty means its id. */
    public static String deviceName(String name, String deviceId) throws AccountException {
        if (name == null || name.isBlank()) {
            return deviceId;
        }
        if (name.length() > MAX_DEVICE_NAME || name.codePoints().anyMatch(Character::isISOControl)) {
            throw invalid("name: at most " + MAX_DEVICE_NAME + " characters, no control characters");
        }
        return name.strip();
    }

    /** Whether an MQTT client id is the coordinator's (see the class comment). */
    public static boolean isCoordinator(String clientId, String configured) {
        if (clientId == null) {
            return false;
        }
        return clientId.equals("coordinator") || clientId.startsWith("coordinator-")
                || configured != null && !configured.isBlank() && clientId.equals(configured.trim());
    }

    private static AccountException invalid(String message) {
        return new AccountException(Reason.INVALID, message);
    }
}
