package org.daig.requestor;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.google.gson.JsonParseException;

/**
 * The login {@code daig login} keeps for the next commands (and the workbench may reuse): the
 * coordinator, the account, and its session token, in the user's configuration folder, readable by
 * the user only. {@code toString} leaves the token out.
 *
 * @param coordinator the coordinator's base address
 * @param user        the account
 * @param token       the session token (secret)
 * @param tokenId     its public id, for lists and revocation
 * @param expiresAt   epoch ms after which the coordinator refuses it
 * @since 2.1
 */
public record SavedLogin(String coordinator, String user, String token, String tokenId, long expiresAt) {

    public static final String FILE_NAME = "credentials.json";

    /** From a login's answer. */
    public static SavedLogin of(URI coordinator, AccountClient.Session session) {
        return new SavedLogin(CoordinatorHttp.base(coordinator).toString(), session.user(), session.token(), session.tokenId(),
                session.expiresAt());
    }

    /**
     * Where the login is kept: {@code %APPDATA%\daig} on Windows, else {@code $XDG_CONFIG_HOME/daig},
     * else {@code ~/.config/daig}; the file is {@value #FILE_NAME}.
     *
     * @param env      the environment (APPDATA, XDG_CONFIG_HOME, HOME)
     * @param osName   the {@code os.name} property
     * @param userHome the {@code user.home} property, used when HOME is not set
     */
    public static Path defaultFile(Map<String, String> env, String osName, String userHome) {
        String appData = env.get("APPDATA");
        if (osName != null && osName.toLowerCase(Locale.ROOT).startsWith("windows") && appData != null && !appData.isBlank()) {
            return Path.of(appData, "daig", FILE_NAME);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) { // the XDG spec: a relative one is to be ignored
            return Path.of(xdg, "daig", FILE_NAME);
        }
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : userHome, ".config", "daig", FILE_NAME);
    }

    /** {@link #defaultFile(Map, String, String)} for this process. */
    public static Path defaultFile() {
        return defaultFile(System.getenv(), System.getProperty("os.name"), System.getProperty("user.home"));
    }

    /** The login kept in {@code file}; empty when there is none. A damaged file is an IOException naming it. */
    public static Optional<SavedLogin> read(Path file) throws IOException {
        String text;
        try {
            text = PrivateFiles.read(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            SavedLogin login = CoordinatorHttp.GSON.fromJson(text, SavedLogin.class);
            if (login == null || login.coordinator() == null || login.token() == null || login.token().isBlank()) {
                throw new JsonParseException("coordinator or token missing");
            }
            return Optional.of(login);
        } catch (JsonParseException e) {
            throw new IOException(file + " is not a saved DAIG login (" + CoordinatorHttp.describe(e) + "): log in again to replace it", e);
        }
    }

    /** Keeps this login in {@code file}, readable and writable by this user only (0600 from its creation on). */
    public Path write(Path file) throws IOException {
        return PrivateFiles.writeOwnerOnly(file, CoordinatorHttp.GSON.toJson(this) + "\n");
    }

    /** Forgets the login kept in {@code file}; false when there was none. */
    public static boolean delete(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }

    /** Whether this login is for {@code coordinator} (the same scheme, host and port; its token goes nowhere else). */
    public boolean isFor(URI coordinator) {
        try {
            return same(CoordinatorHttp.base(URI.create(this.coordinator)), CoordinatorHttp.base(coordinator));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean same(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b)
                && normalPath(a).equals(normalPath(b));
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String normalPath(URI u) {
        return u.getPath() == null ? "" : u.getPath();
    }

    /** Whether the token's time is over at {@code nowMillis}. */
    public boolean expired(long nowMillis) {
        return expiresAt > 0 && nowMillis >= expiresAt;
    }

    @Override
    public String toString() {
        return "SavedLogin[coordinator=" + coordinator + ", user=" + user + ", tokenId=" + tokenId + ", expiresAt=" + expiresAt + "]";
    }
}
