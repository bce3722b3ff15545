package org.daig.requestor;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import com.google.gson.JsonParseException;

/**
 * An enrolled provider's files in its state folder ({@code <data>/provider}): {@value #TOKEN}, the
 * device token alone (0600; the provider's MQTT connection reads it as its password, and its blob
 * downloads and uploads send it), and {@value #ABOUT}, who it belongs to (0644, no secret). Written
 * by the provider when it enrols itself and by {@code daig enrol}.
 *
 * @since 2.1
 */
public final class DeviceFiles {

    public static final String TOKEN = "device-token";
    public static final String ABOUT = "device.json";

    /**
     * What a provider knows about its enrolment.
     *
     * @param coordinator   the coordinator's base address it enrolled with
     * @param user          the account the device belongs to
     * @param device        the device id (the provider's MQTT client id)
     * @param tokenId       the device token's public id
     * @param coordinatorId the coordinator's client id, as it said
     * @param enrolledAt    epoch ms
     */
    public record Enrolled(String coordinator, String user, String device, String tokenId, String coordinatorId, long enrolledAt) {
    }

    private DeviceFiles() {
    }

    public static Path tokenFile(Path providerFolder) {
        return providerFolder.resolve(TOKEN);
    }

    /** Whether the folder holds a device token. */
    public static boolean enrolled(Path providerFolder) {
        return Files.isRegularFile(tokenFile(providerFolder));
    }

    /** The device token, or empty when the provider is not enrolled (or the file is empty). */
    public static Optional<String> token(Path providerFolder) throws IOException {
        try {
            String token = PrivateFiles.firstLine(tokenFile(providerFolder)).strip();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Who the device belongs to, as {@link #save} wrote it; empty when unknown. */
    public static Optional<Enrolled> about(Path providerFolder) {
        try {
            return Optional.ofNullable(CoordinatorHttp.GSON.fromJson(PrivateFiles.read(providerFolder.resolve(ABOUT)), Enrolled.class));
        } catch (IOException | JsonParseException e) {
            return Optional.empty(); // only shown to people; the token is what counts
        }
    }

    /**
     * Keeps an enrolment: {@value #ABOUT} first, then the token (0600), whose appearance is what
     * the provider's connection waits for.
     */
    public static Enrolled save(Path providerFolder, URI coordinator, AccountClient.DeviceToken token, long nowMillis) throws IOException {
        Enrolled about = new Enrolled(CoordinatorHttp.base(coordinator).toString(), token.user(), token.device(), token.tokenId(),
                token.coordinatorId(), nowMillis);
        PrivateFiles.write(providerFolder.resolve(ABOUT), CoordinatorHttp.GSON.toJson(about) + "\n", PrivateFiles.READABLE);
        PrivateFiles.writeOwnerOnly(tokenFile(providerFolder), token.token());
        return about;
    }
}
