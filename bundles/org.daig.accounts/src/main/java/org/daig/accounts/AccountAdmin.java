package org.daig.accounts;

import java.util.List;
import java.util.Set;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.account.Role;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Everything about accounts beyond checking a token: what the account endpoints
 * (docs/security.md, "Account endpoints") and the {@code daig:} Gogo commands do. The caller
 * decides who may call what (the servlets check the caller's {@link Identity}; Gogo is the
 * operator); this service checks names, passwords, rate limits and ownership.
 */
@ProviderType
public interface AccountAdmin extends Accounts {

    /**
     * A new {@link org.daig.api.account.Scope#API} token for a user and password. Refused with one
     * message for an unknown user, a wrong password and a disabled account; refused as
     * {@link AccountException.Reason#RATE_LIMITED} after too many failures for the user or the address.
     */
    Session login(String user, String password, String remoteAddress) throws AccountException;

    /** Revokes the token the caller used; false when it was already gone. */
    boolean logout(Identity caller);

    /** A new volunteer account and its first session, when sign-up is open; rate-limited per address. */
    Session signUp(String user, String password, String remoteAddress) throws AccountException;

    /** Whether anyone may create a volunteer account ({@link #signUp}). Closed by default. */
    boolean signUpOpen();

    void setSignUpOpen(boolean open);

    /**
     * A device token for the caller's own device {@code deviceId} (a volunteer's API session).
     * Re-enrolling a device revokes its old token; a device id another account owns is refused.
     */
    DeviceToken enrolDevice(Identity caller, String deviceId, String name) throws AccountException;

    /** As {@link #enrolDevice}, for the account an admin's enrolment code names; failures count against the address. */
    DeviceToken enrolDeviceWithCode(String code, String deviceId, String name, String remoteAddress) throws AccountException;

    /** The caller's devices; an admin's API session sees all. */
    List<DeviceView> devices(Identity caller);

    List<UserView> users();

    UserView createUser(String user, String password, Set<Role> roles) throws AccountException;

    /** Disabling also revokes every token of the user. */
    void setDisabled(String user, boolean disabled) throws AccountException;

    /** Sets a new password and revokes every token of the user. */
    void setPassword(String user, String password) throws AccountException;

    /**
     * Replaces the user's roles; the user's live tokens carry the new roles from their next request. Refused when it
     * would leave the grid without an enabled admin.
     */
    UserView setRoles(String user, Set<Role> roles) throws AccountException;

    /** Revokes every live token of the user; returns how many. */
    int revokeTokens(String user) throws AccountException;

    /** A code that enrols up to {@code uses} devices for {@code user} within {@code validHours}; shown once. */
    EnrolmentCode createEnrolmentCode(String user, int uses, int validHours) throws AccountException;

    /** Mosquitto's password file and ACL file for the live device and service tokens. */
    BrokerFiles brokerFiles();

    /** A token issued now: the secret {@code token} is shown this once and stored only as its hash. */
    record Session(String token, String tokenId, String user, Set<Role> roles, long expiresAt) {
    }

    /** A device token, bound to {@code device}; {@code coordinatorId} is the coordinator's MQTT client id (null when unknown). */
    record DeviceToken(String token, String tokenId, String user, String device, String coordinatorId, long expiresAt) {
    }

    record UserView(String user, Set<Role> roles, boolean disabled, long createdAt, Long lastLoginAt) {
    }

    record DeviceView(String device, String user, String name, String tokenId, long enrolledAt, Long lastSeenAt) {
    }

    record EnrolmentCode(String code, String user, int uses, long expiresAt) {
    }

    /** The contents of Mosquitto's {@code password_file} and {@code acl_file}. */
    record BrokerFiles(String passwordFile, String aclFile) {
    }
}
