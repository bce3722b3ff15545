package org.daig.transport.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The user name and password a bus logs in with. The password comes from the configuration, or
 * (preferred: it stays out of the configuration) from a file: the coordinator's service token in
 * {@code accounts/service-token}, a provider's device token in {@code provider/device-token}.
 * The user name defaults to the client id, which is what the broker binds a token to. Read again
 * on every connect, so a token written or replaced later (enrolment, re-enrolment) is picked up.
 * Never logged.
 */
record Credentials(String username, char[] password) {

    /** A token file is a line; anything much longer is not one. */
    static final int MAX_FILE_BYTES = 4096;

    /** No credentials: an anonymous connect. */
    static final Credentials NONE = new Credentials(null, null);

    /** A password file that is not there (yet) or not usable; the message says which and what to do. */
    static final class Unavailable extends IOException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /**
     * The credentials of a connection: {@code passwordFile} (relative paths against {@code dataDir})
     * wins over {@code password}; the user name is {@code username}, or the client id when it is
     * empty and a password is set.
     */
    static Credentials of(String username, String password, String passwordFile, String clientId, Path dataDir) throws Unavailable {
        String secret = password == null ? "" : password;
        String file = passwordFile == null ? "" : passwordFile.trim();
        if (!file.isEmpty()) {
            secret = read(dataDir.resolve(file));
        }
        String user = username == null ? "" : username.trim();
        if (user.isEmpty() && secret.isEmpty()) {
            return NONE;
        }
        return new Credentials(user.isEmpty() ? clientId : user, secret.toCharArray());
    }

    private static String read(Path file) throws Unavailable {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new Unavailable("password file " + file + " is larger than " + MAX_FILE_BYTES + " bytes: not a token file");
            }
            String secret = new String(bytes, StandardCharsets.UTF_8).trim();
            if (secret.isEmpty()) {
                throw new Unavailable("password file " + file + " is empty");
            }
            return secret;
        } catch (NoSuchFileException e) {
            throw new Unavailable("password file " + file + " does not exist (yet): a provider writes it when it enrols, "
                    + "the coordinator at its first start; or fix passwordFile in the " + MqttBusConfig.PID + " configuration");
        } catch (IOException e) {
            throw new Unavailable("password file " + file + " cannot be read: " + e.getMessage());
        }
    }
}
