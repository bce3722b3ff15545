package org.daig.transport.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

import org.daig.api.bus.Topics;

/**
 * Client ids that are unique on the broker and stable across restarts: generated once as
 * {@code role-host-random} and kept in a file in the data folder.
 */
final class ClientIds {

    private ClientIds() {
    }

    static String loadOrCreate(Path file, String role) throws IOException {
        if (Files.isRegularFile(file)) {
            String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (Topics.isValidSegment(stored)) {
                return stored;
            }
        }
        String id = generate(role, hostName());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(temp, id + "\n", StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    static String generate(String role, String host) {
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String cleanHost = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-")
                .replaceAll("^-|-$", "");
        if (cleanHost.length() > 32) {
            cleanHost = cleanHost.substring(0, 32);
        }
        return role + "-" + (cleanHost.isEmpty() ? "host" : cleanHost) + "-" + HexFormat.of().formatHex(random);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "host";
        }
    }
}
