package org.daig.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.daig.api.bus.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientIdsTest {

    @Test
    void generatedIdsAreValidTopicSegmentsEvenForOddHostNames() {
        for (String host : new String[] { "My Laptop.local", "ÜBER_host", "", "---", "a".repeat(200) }) {
            String id = ClientIds.generate("provider", host);
            assertTrue(Topics.isValidSegment(id), id);
            assertTrue(id.startsWith("provider-"), id);
        }
        assertNotEquals(ClientIds.generate("provider", "h"), ClientIds.generate("provider", "h"));
    }

    @Test
    void theIdIsKeptAcrossRestarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/provider.client-id");
        String first = ClientIds.loadOrCreate(file, "provider");
        assertEquals(first, ClientIds.loadOrCreate(file, "provider"));
        assertEquals(first, Files.readString(file).trim());
    }

    @Test
    void aDamagedIdFileIsReplaced(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("provider.client-id");
        Files.writeString(file, "bad/id with spaces");
        String id = ClientIds.loadOrCreate(file, "provider");
        assertTrue(Topics.isValidSegment(id), id);
    }
}
