package org.daig.requestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.daig.api.project.ProjectSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The requestor's token goes with every request, the blob plane's too, and a 401 is recognisable. */
class BearerTokenTest {

    private static final String TOKEN = "daig_t1_secretsecretsecret";

    @TempDir
    Path dir;
    private FakeCoordinator coordinator;

    @BeforeEach
    void start() throws IOException {
        coordinator = new FakeCoordinator();
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    @Test
    void everyRequestCarriesTheToken() throws Exception {
        coordinator.requireToken(TOKEN).answer("GET /api/v1/projects", 200, "[]").answer("POST /api/v1/projects/p-1/pause", 409,
                "{\"error\": \"p-1 is completed\"}");
        RequestorClient client = new RequestorClient(coordinator.base(), TOKEN);

        assertEquals(List.of(), client.projects());
        RequestorException e = assertThrows(RequestorException.class, () -> client.pause("p-1"));

        assertEquals(409, e.status(), e.getMessage());
        assertEquals(List.of("Bearer " + TOKEN, "Bearer " + TOKEN), coordinator.authorizations());
        assertTrue(client.hasToken());
    }

    @Test
    void blobUploadsCarryTheTokenToo() throws Exception {
        coordinator.requireToken(TOKEN).answer("POST /api/v1/projects", 500, "{\"error\": \"stop here\"}");
        Path file = Files.write(dir.resolve("f"), bytes(3000));
        RequestorClient client = new RequestorClient(coordinator.base(), TOKEN);

        assertThrows(RequestorException.class, () -> client.submit(settings(), file, file, file, null, null));

        List<String> blobRequests = coordinator.requests().stream().filter(r -> r.contains(" blob ")).toList();
        assertFalse(blobRequests.isEmpty(), coordinator.requests().toString());
        assertTrue(coordinator.authorizations().stream().allMatch(("Bearer " + TOKEN)::equals), coordinator.authorizations().toString());
        assertEquals(1, coordinator.blobs.size(), "the file was uploaded");
    }

    @Test
    void noTokenAnswers401AsNotAuthenticated() {
        coordinator.requireToken(TOKEN);
        RequestorClient anonymous = new RequestorClient(coordinator.base());

        NotAuthenticatedException e = assertThrows(NotAuthenticatedException.class, anonymous::projects);

        assertEquals(401, e.status());
        assertFalse(e.tokenSent());
        assertEquals(coordinator.base(), e.coordinator());
        assertTrue(e.getMessage().startsWith("not logged in to " + coordinator.base()), e.getMessage());
        assertEquals(List.of("-"), coordinator.authorizations());
    }

    @Test
    void aRefusedTokenSaysTheSessionMayHaveExpiredAndIsNeverInTheMessage() {
        coordinator.requireToken(TOKEN);
        RequestorClient stale = new RequestorClient(coordinator.base(), "daig_old_expiredsecret");

        NotAuthenticatedException e = assertThrows(NotAuthenticatedException.class, () -> stale.project("p-1"));

        assertTrue(e.tokenSent());
        assertTrue(e.getMessage().contains("(or the session expired)"), e.getMessage());
        assertFalse(e.getMessage().contains("expiredsecret"), e.getMessage());
    }

    @Test
    void aRefusedTokenOnTheBlobPlaneIsNotAuthenticatedTooAndNothingIsSubmitted() throws Exception {
        coordinator.requireToken(TOKEN);
        Path file = Files.write(dir.resolve("f"), bytes(100));
        RequestorClient stale = new RequestorClient(coordinator.base(), "daig_old_x");

        assertThrows(NotAuthenticatedException.class, () -> stale.submit(settings(), file, file, file, null, null));

        assertFalse(coordinator.requests().contains("POST /api/v1/projects"), coordinator.requests().toString());
        assertTrue(coordinator.blobs.isEmpty());
    }

    @Test
    void aDownloadRefused401IsNotAuthenticatedAndWritesNothing() {
        coordinator.requireToken(TOKEN);
        Path target = dir.resolve("m.h5");

        assertThrows(NotAuthenticatedException.class, () -> new RequestorClient(coordinator.base()).download("p-1", null, "h5", target));

        assertFalse(Files.exists(target));
    }

    @Test
    void forbiddenSaysTheAccountMayNotDoThat() {
        coordinator.answer("POST /api/v1/projects/p-1/cancel", 403, "{\"error\": \"admins only\"}");

        RequestorException e = assertThrows(RequestorException.class, () -> new RequestorClient(coordinator.base(), TOKEN).cancel("p-1"));

        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("admins only") && e.getMessage().contains("this account may not do that"), e.getMessage());
    }

    @Test
    void withTokenKeepsTheCoordinator() {
        RequestorClient client = new RequestorClient(coordinator.base()).withToken(TOKEN);

        assertEquals(coordinator.base(), client.coordinator());
        assertTrue(client.hasToken());
        assertFalse(client.withToken(null).hasToken());
    }

    private static ProjectSpec settings() {
        return new ProjectSpec("mlp", null, null, null, 1, 16, 1, 1, 1, 0.1, 1, null, 1);
    }

    private static byte[] bytes(int size) {
        byte[] b = new byte[size];
        new Random(7).nextBytes(b);
        return b;
    }
}
