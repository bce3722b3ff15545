package org.daig.provider.work;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.function.Supplier;

import org.daig.requestor.DeviceFiles;

/**
 * This provider's device token for its blob downloads and uploads, read from
 * {@code provider/device-token} and read again when the file changes (enrolled again): null while
 * there is none, then the requests go without a token (and a coordinator with authentication
 * refuses them).
 */
final class DeviceTokenFile implements Supplier<String> {

    private final Path folder;
    private FileTime readAt;
    private String token;

    DeviceTokenFile(Path providerFolder) {
        this.folder = providerFolder;
    }

    @Override
    public synchronized String get() {
        Path file = DeviceFiles.tokenFile(folder);
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!modified.equals(readAt)) {
                token = DeviceFiles.token(folder).orElse(null);
                readAt = modified;
            }
        } catch (NoSuchFileException e) {
            token = null;
            readAt = null;
        } catch (IOException e) {
            token = null; // unreadable: the coordinator's 401 will say the rest
            readAt = null;
        }
        return token;
    }
}
