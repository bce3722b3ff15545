package org.daig.coordinator.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.daig.api.account.Identity;
import org.daig.coordinator.access.CoordinatorBlobAccess;
import org.daig.coordinator.experts.ExpertsDesk.ExpertsException;
import org.daig.coordinator.experts.ExpertsDesk.ExpertsView;
import org.daig.coordinator.experts.ExpertsDesk.HostingTask;
import org.daig.coordinator.service.Fixture;
import org.daig.experts.dht.UdpNode;
import org.daig.wire.VectorFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonParser;

/** Experts projects on a real H2 and the coordinator's blob rules: creating, hosting leases, checkpoints, the assembled model. */
class ExpertsDeskTest {

    private static final Identity DEVICE_C = Fixture.device("carl", "prov-c");
    /** A 4x4 grid of 8 → 16 → 8 experts in 4 groups of 4 cells. */
    private static final ExpertsSpec SPEC = new ExpertsSpec("moe", "ffn", "4x4", 8, 16, 4, null, null, null, null, null);
    private static final long PER_EXPERT = 8 * 16 + 16 + 16 * 8 + 8;

    @TempDir
    Path tmp;
    private Fixture fx;
    private ExpertsDesk desk;
    private CoordinatorBlobAccess access;

    @BeforeEach
    void open() throws Exception {
        fx = new Fixture(tmp, (p, current, results) -> current);
        desk = new ExpertsDesk(fx, fx.blobs, ExpertsSettings.of(120, "", 0), fx.now::get);
        access = fx.access();
    }

    @AfterEach
    void close() {
        desk.close();
        fx.close();
    }

    private static ExpertsException refused(int status, Executable action) {
        ExpertsException e = assertThrows(ExpertsException.class, action);
        assertEquals(status, e.status, e.getMessage());
        return e;
    }

    private String checkpoint(float fill, long values) throws IOException {
        float[] v = new float[Math.toIntExact(values)];
        Arrays.fill(v, fill);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorFile.write(out, v);
        return fx.blobs.write(new ByteArrayInputStream(out.toByteArray())).id();
    }

    /** A trainer's whole-model file: its layers, its gate and (from its own collection) one expert. */
    private String trainerFile(String grid, float expertFill) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("daig-experts.json"));
            z.write(("{\"format\":\"daig-experts\",\"version\":1,\"inputs\":4,\"bottom\":[8],\"classes\":3,\"gridPrefix\":\"ffn\","
                    + "\"gridSizes\":" + grid + ",\"expertHidden\":16,\"k\":4,\"kMin\":2,\"experts\":[\"ffn.3.3\"]}")
                    .getBytes(StandardCharsets.UTF_8));
            for (String entry : new String[] { "bottom", "gate", "top", "experts/ffn.3.3" }) {
                z.putNextEntry(new ZipEntry(entry + ".npy"));
                float[] v = new float[entry.startsWith("experts") ? (int) PER_EXPERT : 5];
                Arrays.fill(v, expertFill);
                VectorFile.write(z, v);
            }
        }
        return fx.blobs.write(new ByteArrayInputStream(bytes.toByteArray())).id();
    }

    @Test
    void badSettingsAreRefusedNamingTheFieldAndOnlyRequestorsCreate() throws Exception {
        ExpertsException bad = refused(422, () -> desk.create(Fixture.ALICE,
                new ExpertsSpec("", "9ffn", "4x4", 0, 16, 99, "rmsprop", -1.0, null, 40, null)));
        for (String field : new String[] { "name:", "grid:", "width:", "optimizer:", "learningRate:" }) {
            assertTrue(bad.getMessage().contains(field), field + " in " + bad.getMessage());
        }
        ExpertsException hosts = refused(422, () -> desk.create(Fixture.ALICE, new ExpertsSpec("m", "ffn", "4x4", 8, 16, 17, null, null, null,
                null, null)));
        assertTrue(hosts.getMessage().contains("hosts: 17 is not in 1..16"), hosts.getMessage());
        refused(403, () -> desk.create(Fixture.VOLUNTEER, SPEC));
        refused(403, () -> desk.create(Fixture.DEVICE_A, SPEC));
        assertEquals(List.of(), desk.list(Fixture.ADMIN), "nothing stored");
    }

    @Test
    void eachProviderHostsOneGroupAndALapsedGroupGoesToAnotherFromItsNewestCheckpoint() throws Exception {
        // two groups of 8 cells: when both hosts stop, the group waiting longest goes first
        ExpertsView p = desk.create(Fixture.ALICE, new ExpertsSpec("moe", "ffn", "4x4", 8, 16, 2, null, null, null, null, null));
        assertEquals(2, p.groups().size());
        assertEquals("ffn.0.0", p.groups().get(0).firstCell());
        assertEquals("ffn.1.3", p.groups().get(0).lastCell());
        assertEquals("ffn.3.3", p.groups().get(1).lastCell());
        assertEquals("momentum", p.spec().optimizer(), "the default optimizer");
        assertEquals(64, p.token().length());

        HostingTask a = desk.lease(Fixture.DEVICE_A).orElseThrow();
        assertEquals(List.of("ffn.0.0", "ffn.0.1", "ffn.0.2", "ffn.0.3", "ffn.1.0", "ffn.1.1", "ffn.1.2", "ffn.1.3"), a.cells());
        assertEquals(p.token(), a.token());
        assertNull(a.checkpoint(), "a new group starts from the seed");
        assertEquals(8 * PER_EXPERT, a.checkpointParameters());
        assertEquals(0, desk.lease(Fixture.DEVICE_A).orElseThrow().group(), "asking again (after a restart) gives back its own group");
        assertEquals(1, desk.lease(Fixture.DEVICE_B).orElseThrow().group());

        String first = checkpoint(1f, 8 * PER_EXPERT);
        assertTrue(access.refuseUpload(Fixture.DEVICE_A, first, VectorFile.fileSize(8 * PER_EXPERT)).isEmpty(), "a checkpoint of its size");
        assertTrue(access.refuseUpload(Fixture.DEVICE_A, first, 10_000_000).isPresent(), "anything else is refused");
        refused(422, () -> desk.renew(Fixture.DEVICE_A, p.id(), 0, checkpoint(1f, 3)));
        desk.renew(Fixture.DEVICE_A, p.id(), 0, first);
        String second = checkpoint(2f, 8 * PER_EXPERT);
        desk.renew(Fixture.DEVICE_A, p.id(), 0, second);
        assertTrue(fx.blobs.find(first).isEmpty(), "a replaced checkpoint is deleted");
        assertTrue(access.mayRead(Fixture.DEVICE_A, second));
        assertFalse(access.mayRead(Fixture.DEVICE_B, second), "another group's host");
        assertTrue(access.mayRead(Fixture.ALICE, second), "the owner");
        assertFalse(access.mayRead(Fixture.BOB, second), "another requestor");

        fx.now.addAndGet(121_000); // A stopped renewing (B too); C takes group 0 from A's newest checkpoint
        HostingTask c = desk.lease(DEVICE_C).orElseThrow();
        assertEquals(0, c.group());
        assertEquals(second, c.checkpoint());
        assertTrue(access.mayRead(DEVICE_C, second));
        assertFalse(access.mayRead(Fixture.DEVICE_A, second), "its lease lapsed");
        ExpertsException stop = refused(409, () -> desk.renew(Fixture.DEVICE_A, p.id(), 0, null));
        assertTrue(stop.getMessage().contains("stop hosting"), stop.getMessage());
        refused(403, () -> desk.lease(Fixture.ALICE));

        desk.release(DEVICE_C, p.id(), 0);
        assertEquals(1, desk.lease(Fixture.DEVICE_B).orElseThrow().group(), "B's own group lapsed earlier: it waited longest");
        assertEquals(0, desk.lease(Fixture.device("dora", "prov-d")).orElseThrow().group(), "a released group is free at once");
        assertTrue(desk.lease(Fixture.device("eve", "prov-e")).isEmpty(), "every group has a host");
    }

    @Test
    void theModelIsTheTrainersLayersWithEveryGroupsNewestCheckpoint() throws Exception {
        ExpertsView p = desk.create(Fixture.ALICE, SPEC);
        refused(409, () -> desk.writeModel(Fixture.ALICE, p.id(), OutputStream.nullOutputStream()));
        ExpertsException grid = refused(422, () -> desk.setTrainer(Fixture.ALICE, p.id(), trainerFile("[4,5]", 3f)));
        assertTrue(grid.getMessage().contains("grid:"), grid.getMessage());
        refused(422, () -> desk.setTrainer(Fixture.ALICE, p.id(), checkpoint(1f, 10)));
        refused(404, () -> desk.setTrainer(Fixture.BOB, p.id(), trainerFile("[4,4]", 3f)));
        desk.setTrainer(Fixture.ALICE, p.id(), trainerFile("[4,4]", 3f));

        HostingTask a = desk.lease(Fixture.DEVICE_A).orElseThrow();
        desk.renew(Fixture.DEVICE_A, p.id(), a.group(), checkpoint(7f, 4 * PER_EXPERT));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        desk.writeModel(Fixture.ALICE, p.id(), out);
        Map<String, float[]> entries = new TreeMap<>();
        String manifest = null;
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null;) {
                if (e.getName().equals("daig-experts.json")) {
                    manifest = new String(z.readAllBytes(), StandardCharsets.UTF_8);
                } else {
                    entries.put(e.getName(), VectorFile.read(z, -1));
                }
            }
        }
        assertNotNull(manifest);
        assertEquals("[\"ffn.0.0\",\"ffn.0.1\",\"ffn.0.2\",\"ffn.0.3\",\"ffn.3.3\"]",
                JsonParser.parseString(manifest).getAsJsonObject().get("experts").toString(), "group 0's checkpoint and the trainer's own");
        assertEquals(List.of("bottom.npy", "experts/ffn.0.0.npy", "experts/ffn.0.1.npy", "experts/ffn.0.2.npy", "experts/ffn.0.3.npy",
                "experts/ffn.3.3.npy", "gate.npy", "top.npy"), List.copyOf(entries.keySet()));
        assertEquals(7f, entries.get("experts/ffn.0.2.npy")[0], "from the checkpoint");
        assertEquals(PER_EXPERT, entries.get("experts/ffn.0.2.npy").length);
        assertEquals(3f, entries.get("experts/ffn.3.3.npy")[0], "from the trainer's file");
        refused(404, () -> desk.writeModel(Fixture.BOB, p.id(), OutputStream.nullOutputStream()));
    }

    @Test
    void aCancelledProjectStopsItsHostsAndHandsOutNoMoreGroups() throws Exception {
        ExpertsView p = desk.create(Fixture.ALICE, SPEC);
        HostingTask a = desk.lease(Fixture.DEVICE_A).orElseThrow();
        refused(404, () -> desk.cancel(Fixture.BOB, p.id()));
        assertEquals("CANCELLED", desk.cancel(Fixture.ALICE, p.id()).state());
        refused(409, () -> desk.renew(Fixture.DEVICE_A, p.id(), a.group(), null));
        assertTrue(desk.lease(Fixture.DEVICE_B).isEmpty());
        assertNull(desk.get(Fixture.ALICE, p.id()).bootstrap(), "its DHT peer is gone");
    }

    @Test
    void hostsAndTrainersJoinTheProjectsDhtThroughTheCoordinatorsPeerWithTheProjectsToken() throws Exception {
        ExpertsView p = desk.create(Fixture.ALICE, SPEC);
        assertTrue(p.bootstrap().startsWith("127.0.0.1:"), p.bootstrap());
        byte[] token = p.token().getBytes(StandardCharsets.UTF_8);
        try (UdpNode host = UdpNode.startClient("127.0.0.1", 0, 2_000, token);
             UdpNode trainer = UdpNode.startClient("127.0.0.1", 0, 2_000, token);
             UdpNode stranger = UdpNode.startClient("127.0.0.1", 0, 500, "not the project token".getBytes(StandardCharsets.UTF_8))) {
            host.join(p.bootstrap()).get(10, TimeUnit.SECONDS);
            trainer.join(p.bootstrap()).get(10, TimeUnit.SECONDS);
            stranger.join(p.bootstrap()).get(10, TimeUnit.SECONDS);
            // both behind NAT (client mode): the entry lives on the coordinator's peer
            host.node().store("ffn.0.0", "", "relay:grid:7702/prov-a", System.currentTimeMillis() + 60_000).get(10, TimeUnit.SECONDS);
            assertEquals("relay:grid:7702/prov-a", trainer.node().get("ffn.0.0").get(10, TimeUnit.SECONDS).get("").value());
            assertTrue(stranger.node().get("ffn.0.0").get(10, TimeUnit.SECONDS).isEmpty(), "a peer without the token gets no answer");
        }
        ExpertsDesk restarted = new ExpertsDesk(fx, fx.blobs, ExpertsSettings.of(120, "", 0), fx.now::get);
        try {
            assertNotNull(restarted.get(Fixture.ALICE, p.id()).bootstrap(), "a restart starts the running projects' peers again");
        } finally {
            restarted.close();
        }
        assertTrue(Files.isDirectory(tmp));
    }
}
