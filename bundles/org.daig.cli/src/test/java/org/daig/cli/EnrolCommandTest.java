package org.daig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** daig enrol: a headless provider's device token, by code or account, into its data folder. */
class EnrolCommandTest {

    private static final String DEVICE_TOKEN = "daig_d1_devicesecretdevicesecret";
    private static final String ENROLLED = "{\"token\": \"" + DEVICE_TOKEN + "\", \"tokenId\": \"d1\", \"user\": \"vol\","
            + " \"device\": \"provider-box-abc123\", \"coordinatorId\": \"coordinator-srv\"}";

    @TempDir
    Path tmp;
    private FakeCoordinator coordinator;
    private Path data;
    private Map<String, String> env;

    @BeforeEach
    void start() throws IOException {
        coordinator = new FakeCoordinator();
        data = tmp.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("provider.client-id"), "provider-box-abc123\n");
        env = new HashMap<>(Map.of("XDG_CONFIG_HOME", tmp.resolve("config").toString()));
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private Run run(String... args) {
        return Run.with(env, null, args);
    }

    @Test
    void aCodeBringsTheDeviceTokenIntoTheProvidersFolderOwnerOnly() throws Exception {
        coordinator.answer("POST /api/v1/devices", 201, ENROLLED);

        Run run = run("enrol", "--coordinator", coordinator.url(), "--code", "ENROL-1234", "--data", data.toString(), "--name", "box");

        assertEquals(0, run.status, run.toString());
        Path token = data.resolve("provider/device-token");
        assertEquals(DEVICE_TOKEN, Files.readString(token));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        assertTrue(Files.readString(data.resolve("provider/device.json")).contains("\"user\":\"vol\""));
        JsonObject sent = JsonParser.parseString(coordinator.last("POST /api/v1/devices").body()).getAsJsonObject();
        assertEquals("provider-box-abc123", sent.get("deviceId").getAsString(), "the device is the provider's MQTT client id");
        assertEquals("box", sent.get("name").getAsString());
        assertEquals("ENROL-1234", sent.get("code").getAsString());
        assertNull(coordinator.last("POST /api/v1/devices").authorization());
        assertTrue(run.out().startsWith("Enrolled device provider-box-abc123 (box) for account vol"), run.toString());
        assertFalse(run.out().contains(DEVICE_TOKEN) || run.err().contains(DEVICE_TOKEN), "the token is never printed: " + run);
    }

    @Test
    void aRefusedCodeExits3AndWritesNoToken() {
        coordinator.answer("POST /api/v1/devices", 403, "{\"error\": \"unknown or used-up enrolment code\"}");

        Run run = run("enrol", "--coordinator", coordinator.url(), "--code", "WRONG", "--data", data.toString());

        assertEquals(Daig.NOT_LOGGED_IN, run.status, run.toString());
        assertTrue(run.err().contains("refused to enrol this device with the enrolment code")
                && run.err().contains("unknown or used-up enrolment code"), run.toString());
        assertFalse(Files.exists(data.resolve("provider/device-token")));
    }

    @Test
    void anAccountLogsInEnrolsWithItsTokenAndLogsOutAgain() throws Exception {
        coordinator.answer("POST /api/v1/login", 200, SessionCommandsTest.SESSION).answer("POST /api/v1/devices", 201, ENROLLED)
                .answer("POST /api/v1/logout", 204, "");
        env.put("DAIG_PASSWORD", SessionCommandsTest.PASSWORD);

        Run run = run("enrol", "--coordinator", coordinator.url(), "--user", "vol", "--data", data.toString());

        assertEquals(0, run.status, run.toString());
        assertEquals(List.of("POST /api/v1/login", "POST /api/v1/devices", "POST /api/v1/logout"), coordinator.lines());
        assertEquals("Bearer " + SessionCommandsTest.TOKEN, coordinator.last("POST /api/v1/devices").authorization());
        assertFalse(JsonParser.parseString(coordinator.last("POST /api/v1/devices").body()).getAsJsonObject().has("code"));
        assertEquals(DEVICE_TOKEN, Files.readString(data.resolve("provider/device-token")));
    }

    @Test
    void anEnrolledProviderIsNotEnrolledAgainWithoutForce() throws Exception {
        Files.createDirectories(data.resolve("provider"));
        Files.writeString(data.resolve("provider/device-token"), "daig_old_x");

        Run run = run("enrol", "--coordinator", coordinator.url(), "--code", "ENROL-1234", "--data", data.toString());

        assertEquals(1, run.status, run.toString());
        assertTrue(run.err().contains("enrolled already") && run.err().contains("--force"), run.toString());
        assertEquals(List.of(), coordinator.requests());
        assertEquals("daig_old_x", Files.readString(data.resolve("provider/device-token")));
    }

    @Test
    void aProviderWithoutAClientIdGetsOneTheProviderWillUse() throws Exception {
        Files.delete(data.resolve("provider.client-id"));
        coordinator.answer("POST /api/v1/devices", 201, ENROLLED);

        assertEquals(0, run("enrol", "--coordinator", coordinator.url(), "--code", "C", "--data", data.toString()).status);

        String id = Files.readString(data.resolve("provider.client-id")).strip();
        assertTrue(id.matches("provider-[a-z0-9-]+-[0-9a-f]{6}"), id);
        assertEquals(id, JsonParser.parseString(coordinator.last("POST /api/v1/devices").body()).getAsJsonObject().get("deviceId").getAsString());
    }

    @Test
    void codeAndUserTogetherAreAUsageError() {
        Run run = run("enrol", "--coordinator", coordinator.url(), "--code", "C", "--user", "vol", "--data", data.toString());

        assertEquals(Daig.USAGE, run.status, run.toString());
        assertEquals(List.of(), coordinator.requests());
    }
}
