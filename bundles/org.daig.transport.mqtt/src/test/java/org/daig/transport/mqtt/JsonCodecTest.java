package org.daig.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.daig.api.bus.MalformedMessageException;
import org.daig.api.presence.Presence;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

    /** Nested records and lists, as the domain messages have them. */
    record Gpu(String name, long memoryBytes) {
    }

    record Announcement(String id, String name, int cores, long memoryBytes, List<Gpu> gpus) {
    }

    private final JsonCodec codec = new JsonCodec(4096);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsSurviveTheRoundTrip() throws Exception {
        Announcement sent = new Announcement("p-1", "Zoë's <PC>", 4, 8L << 30, List.of(new Gpu("RTX", 12L << 30)));
        byte[] json = codec.encode(sent);
        assertTrue(new String(json, StandardCharsets.UTF_8).contains("Zoë's <PC>"), "no HTML escaping");
        assertEquals(sent, codec.decode(json, Announcement.class));
    }

    record Figures(String id, double loss, double accuracy) {
    }

    @Test
    void notANumberTravelsAsNullAndComesBackAsNaN() throws Exception {
        JsonCodec codec = new JsonCodec(1024);
        byte[] json = codec.encode(new Figures("p1", 0.25, Double.NaN));
        assertEquals("{\"id\":\"p1\",\"loss\":0.25,\"accuracy\":null}", new String(json, java.nio.charset.StandardCharsets.UTF_8));
        Figures back = codec.decode(json, Figures.class);
        assertEquals(0.25, back.loss());
        assertTrue(Double.isNaN(back.accuracy()));
    }

    record Optional(String id, Double rate) {
    }

    /** An optional Double left out stays out: null, not a NaN that reads like a measurement. */
    @Test
    void aNullBoxedDoubleComesBackNull() throws Exception {
        JsonCodec codec = new JsonCodec(1024);
        assertEquals(new Optional("p1", null), codec.decode(codec.encode(new Optional("p1", null)), Optional.class));
        assertEquals(new Optional("p1", 0.5), codec.decode(codec.encode(new Optional("p1", 0.5)), Optional.class));
        assertEquals(new Optional("p1", null), codec.decode(utf8("{\"id\":\"p1\"}"), Optional.class));
    }

    @Test
    void unknownFieldsAreIgnoredSoNewerPeersCanAddFields() throws Exception {
        Presence p = codec.decode(utf8("{\"clientId\":\"c\",\"role\":\"provider\",\"online\":true,\"since\":5,\"future\":[1,2]}"),
                Presence.class);
        assertEquals(new Presence("c", "provider", true, 5, null), p);
    }

    @Test
    void missingNumbersAndBooleansAreRefusedInsteadOfBecomingZero() {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> codec.decode(utf8("{\"clientId\":\"c\",\"role\":\"provider\",\"since\":5}"), Presence.class));
        assertTrue(e.getMessage().contains("'online'"), e.getMessage());
    }

    @Test
    void garbageIsMalformedWithAReadableReason() {
        String[] bad = { "not json", "{\"clientId\":", "{} trailing", "[1,2]", "null", "{'single':'quotes'}",
                "{\"clientId\":\"c\",\"role\":\"p\",\"online\":\"yes please\",\"since\":1}" };
        for (String payload : bad) {
            MalformedMessageException e = assertThrows(MalformedMessageException.class,
                    () -> codec.decode(utf8(payload), Presence.class), payload);
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), payload);
        }
    }

    @Test
    void emptyAndOversizedPayloadsAreRefused() {
        assertThrows(MalformedMessageException.class, () -> codec.decode(new byte[0], Presence.class));
        byte[] big = utf8("{\"clientId\":\"" + "x".repeat(5000) + "\"}");
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> codec.decode(big, Presence.class));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }
}
