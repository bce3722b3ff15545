package org.daig.requestor;

import java.io.IOException;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

/**
 * The coordinator's account endpoints (docs/security.md, "Account endpoints") as plain Java: log
 * in and out, who am I, sign up, enrol a device, and the admin's user management. Used by the
 * {@code daig} command line, the workbench and the provider's enrolment. Records that carry a
 * secret (a token, an enrolment code) leave it out of their {@code toString}, so logging one
 * never leaks it. Immutable and thread-safe.
 *
 * @since 2.1
 */
public final class AccountClient {

    /** What a login or sign-up answers: a session token for the HTTP API. */
    public record Session(String token, String tokenId, String user, List<String> roles, long expiresAt) {
        @Override
        public String toString() {
            return "Session[user=" + user + ", roles=" + roles + ", tokenId=" + tokenId + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** Who a token stands for. {@code device} is set for a device token only. */
    public record WhoAmI(String user, List<String> roles, String scope, String device, String tokenId, long expiresAt) {
    }

    /** An enrolled device's token, bound to {@code device} (the provider's MQTT client id). */
    public record DeviceToken(String token, String tokenId, String user, String device, String coordinatorId) {
        @Override
        public String toString() {
            return "DeviceToken[user=" + user + ", device=" + device + ", tokenId=" + tokenId + ", coordinatorId=" + coordinatorId + "]";
        }
    }

    /** A device as the coordinator lists it (times in epoch ms; {@code lastSeenAt} null when never seen). */
    public record Device(String device, String user, String name, String tokenId, long enrolledAt, Long lastSeenAt) {
    }

    /** An account as the admin lists it ({@code lastLoginAt} null when never). */
    public record User(String user, List<String> roles, boolean disabled, long createdAt, Long lastLoginAt) {
    }

    /** An enrolment code: devices enrolled with it belong to {@code user}. */
    public record EnrolmentCode(String code, String user, int uses, long expiresAt) {
        @Override
        public String toString() {
            return "EnrolmentCode[user=" + user + ", uses=" + uses + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** A device's credits (1 credit = 10^12 floating-point operations of accepted training) and the account it is enrolled to. */
    public record Credit(String providerId, String account, long tasks, double amount) {
    }

    /** A volunteer device's standing: results accepted, invalid ones since its last reset, whether it gets tasks, the newest refusal. */
    /** A device's standing; {@code account} is the volunteer account it is enrolled to (null when unknown; since 2.3). */
    public record Volunteer(String providerId, String account, long accepted, long invalid, boolean banned, String lastVerdict,
            String lastReason, Long lastAt) {
    }

    /** Mosquitto's files: a mosquitto_passwd password file and an ACL file, as their text. */
    public record BrokerConfig(String passwordFile, String aclFile) {
    }

    /** Account and device names on the grid (docs/security.md). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final int MIN_PASSWORD = 12;
    public static final int MAX_PASSWORD = 1024;

    private static final Gson GSON = CoordinatorHttp.GSON.newBuilder().registerTypeAdapter(long.class, new EpochMillis(0L))
            .registerTypeAdapter(Long.class, new EpochMillis(null)).create();
    private static final Type USER_LIST = new TypeToken<List<User>>() { }.getType();
    private static final Type DEVICE_LIST = new TypeToken<List<Device>>() { }.getType();
    private static final Type CREDIT_LIST = new TypeToken<List<Credit>>() { }.getType();
    private static final Type VOLUNTEER_LIST = new TypeToken<List<Volunteer>>() { }.getType();

    private final CoordinatorHttp http;

    /**
     * @param coordinator the coordinator's base address, e.g. {@code http://127.0.0.1:7700}
     * @param token       the bearer token for the calls that need one (null for login, sign-up, enrolment by code)
     */
    public AccountClient(URI coordinator, String token) {
        this.http = new CoordinatorHttp(coordinator, token);
    }

    public URI coordinator() {
        return http.coordinator();
    }

    // ---------------------------------------------------------------- sessions

    /**
     * Logs in. A wrong user or password is a {@link NotAuthenticatedException} (the coordinator
     * does not say which); too many failures a {@link RequestorException} with status 429 saying when to try again.
     */
    public Session login(String user, char[] password) throws RequestorException {
        requireName("user", user);
        CoordinatorHttp.Answer answer = http.answer(post("/api/v1/login", credentials(user, password)));
        if (answer.status() == 401) {
            throw new NotAuthenticatedException(http.coordinator(), "the coordinator at " + http.coordinator() + " refused the login: "
                    + CoordinatorHttp.errorText(answer.body()));
        }
        tooManyAttempts(answer, "logins");
        return parse(http.expect(answer, 200), Session.class, "the login's answer");
    }

    /** Opens an account with role volunteer, where the grid's admin opened sign-up (403 otherwise). */
    public Session signup(String user, char[] password) throws RequestorException {
        requireName("user", user);
        requirePassword(password);
        CoordinatorHttp.Answer answer = http.answer(post("/api/v1/signup", credentials(user, password)));
        if (answer.status() == 403) {
            throw new RequestorException("sign-up is closed on the grid at " + http.coordinator() + ": ask its admin for an account ("
                    + CoordinatorHttp.errorText(answer.body()) + ")", 403, false, null);
        }
        tooManyAttempts(answer, "sign-ups");
        return parse(http.expect(answer, 201), Session.class, "the sign-up's answer");
    }

    /** Revokes this client's token on the coordinator. */
    public void logout() throws RequestorException {
        http.expect(http.answer(post("/api/v1/logout", null)), 204);
    }

    public WhoAmI whoami() throws RequestorException {
        return parse(http.getJson("/api/v1/whoami"), WhoAmI.class, "who you are");
    }

    // ---------------------------------------------------------------- devices

    /**
     * Enrols a device: with an enrolment code from the grid's admin ({@code code} not null, no token
     * needed), or with this client's token of the volunteer's account. Enrolling a device again
     * revokes its old token.
     *
     * @param deviceId the provider's MQTT client id, which the token is bound to
     * @param name     how the device shows in lists (the host name)
     */
    public DeviceToken enrolDevice(String deviceId, String name, String code) throws RequestorException {
        requireName("deviceId", deviceId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deviceId", deviceId);
        body.put("name", name);
        if (code != null) {
            body.put("code", code);
        }
        CoordinatorHttp.Answer answer = http.answer(post("/api/v1/devices", body));
        if (answer.status() == 401 || answer.status() == 403) {
            String how = code != null ? "the enrolment code" : "the account";
            throw new RequestorException("the coordinator at " + http.coordinator() + " refused to enrol this device with " + how + " ("
                    + answer.status() + ": " + CoordinatorHttp.errorText(answer.body()) + ")", answer.status(), false, null);
        }
        return parse(http.expect(answer, 201), DeviceToken.class, "the device's token");
    }

    /** The caller's devices (an admin's: all). */
    public List<Device> devices() throws RequestorException {
        return parse(http.getJson("/api/v1/devices"), DEVICE_LIST, "the device list");
    }

    /** The credits this token may read: its device's, its account's devices', or (an admin) every device's. Since 2.2. */
    public List<Credit> credits() throws RequestorException {
        return parse(http.getJson("/api/v1/credits"), CREDIT_LIST, "the credits");
    }

    // ---------------------------------------------------------------- admin

    public List<User> users() throws RequestorException {
        return parse(http.getJson("/api/v1/admin/users"), USER_LIST, "the user list");
    }

    public User addUser(String user, char[] password, List<String> roles) throws RequestorException {
        requireName("user", user);
        requirePassword(password);
        Map<String, Object> body = credentials(user, password);
        body.put("roles", roles);
        return parse(http.expect(http.answer(post("/api/v1/admin/users", body)), 201), User.class, "the new user");
    }

    /** Disables the account and revokes every token of it. */
    public void disable(String user) throws RequestorException {
        http.expect(http.answer(post(userPath(user) + "/disable", null)), 204);
    }

    public void enable(String user) throws RequestorException {
        http.expect(http.answer(post(userPath(user) + "/enable", null)), 204);
    }

    /** Sets a new password; the user's tokens are revoked. */
    public void setPassword(String user, char[] password) throws RequestorException {
        requirePassword(password);
        http.expect(http.answer(post(userPath(user) + "/password", Map.of("password", new String(password)))), 204);
    }

    /** Replaces the user's roles (the coordinator keeps at least one enabled admin); answers the account as it is now. Since 2.4. */
    public User setRoles(String user, List<String> roles) throws RequestorException {
        return parse(http.expect(http.answer(post(userPath(user) + "/roles", Map.of("roles", roles))), 200), User.class, "the account");
    }

    /** Revokes every token of the user; answers how many. */
    public int revoke(String user) throws RequestorException {
        Map<?, ?> answer = parse(http.expect(http.answer(post(userPath(user) + "/revoke", null)), 200), Map.class, "the revocation");
        Object revoked = answer.get("revoked");
        return revoked instanceof Number n ? n.intValue() : 0;
    }

    public EnrolmentCode enrolmentCode(String user, int uses, int validHours) throws RequestorException {
        requireName("user", user);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user", user);
        body.put("uses", uses);
        body.put("validHours", validHours);
        return parse(http.expect(http.answer(post("/api/v1/admin/enrolment-codes", body)), 201), EnrolmentCode.class,
                "the enrolment code");
    }

    /** Opens or closes sign-up for volunteers. */
    public void setSignup(boolean open) throws RequestorException {
        http.expect(http.answer(post("/api/v1/admin/signup", Map.of("open", open))), 204);
    }

    public BrokerConfig brokerConfig() throws RequestorException {
        return parse(http.getJson("/api/v1/admin/broker-config"), BrokerConfig.class, "the broker configuration");
    }

    // ---------------------------------------------------------------- plumbing

    /** Throws IllegalArgumentException naming {@code field} unless {@code name} is a grid name. */
    public static void requireName(String field, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(field + ": '" + (name == null ? "" : name)
                    + "' is not a name: use 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }

    /** Throws IllegalArgumentException unless the password has 12 to 1024 characters. */
    public static void requirePassword(char[] password) {
        int length = password == null ? 0 : password.length;
        if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
            throw new IllegalArgumentException("password: it has " + length + " characters; use " + MIN_PASSWORD + " to " + MAX_PASSWORD);
        }
    }

    private static Map<String, Object> credentials(String user, char[] password) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user", user);
        body.put("password", new String(password == null ? new char[0] : password));
        return body;
    }

    /** Every volunteer device's standing (admins). Since 2.2. */
    public List<Volunteer> volunteers() throws RequestorException {
        return parse(http.getJson("/api/v1/volunteers"), VOLUNTEER_LIST, "the volunteers' standing");
    }

    /** Forgives a device its invalid results, which lifts its ban (admins); whether it had any. Since 2.2. */
    public boolean resetVolunteer(String device) throws RequestorException {
        requireName("device", device);
        Map<?, ?> answer = parse(http.expect(http.answer(post("/api/v1/volunteers/" + device + "/reset", null)), 200), Map.class, "the reset");
        return Boolean.TRUE.equals(answer.get("hadInvalidResults"));
    }

    private HttpRequest post(String path, Object body) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(GSON.toJson(body), java.nio.charset.StandardCharsets.UTF_8);
        return http.request(path).timeout(CoordinatorHttp.ANSWER_TIMEOUT).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(publisher).build();
    }

    private static String userPath(String user) {
        requireName("user", user); // a name is one path segment as it is
        return "/api/v1/admin/users/" + user;
    }

    private void tooManyAttempts(CoordinatorHttp.Answer answer, String what) throws RequestorException {
        if (answer.status() == 429) {
            String wait = answer.headers().firstValue("Retry-After").map(s -> " in " + s.strip() + " s").orElse(" later");
            throw new RequestorException("too many " + what + " failed at " + http.coordinator() + ": try again" + wait, 429, false, null);
        }
    }

    private <T> T parse(String json, Type type, String what) throws RequestorException {
        try {
            T value = GSON.fromJson(json, type);
            if (value == null) {
                throw new JsonParseException("empty answer");
            }
            return value;
        } catch (JsonParseException | IllegalStateException e) {
            throw new RequestorException("the coordinator at " + http.coordinator() + " sent " + what
                    + " in a form this client does not understand (" + CoordinatorHttp.describe(e) + ")", e);
        }
    }

    /** Times as epoch milliseconds, read from a number or an ISO-8601 instant; null stays null (0 for a primitive). */
    private static final class EpochMillis extends TypeAdapter<Long> {
        private final Long ifNull;

        EpochMillis(Long ifNull) {
            this.ifNull = ifNull;
        }

        @Override
        public void write(JsonWriter out, Long value) throws IOException {
            out.value(value);
        }

        @Override
        public Long read(JsonReader in) throws IOException {
            JsonToken token = in.peek();
            if (token == JsonToken.NULL) {
                in.nextNull();
                return ifNull;
            }
            if (token == JsonToken.STRING) {
                String text = in.nextString();
                try {
                    return Instant.parse(text).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new JsonParseException("'" + text + "' is not a time", e);
                }
            }
            return in.nextLong();
        }
    }
}
