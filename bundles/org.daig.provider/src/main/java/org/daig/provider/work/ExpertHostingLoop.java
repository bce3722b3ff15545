package org.daig.provider.work;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.daig.api.trainer.TrainerClient;
import org.daig.api.trainer.TrainerClient.HostRelay;
import org.daig.api.trainer.TrainerClient.HostRequest;
import org.daig.api.trainer.TrainerClient.HostedParameters;
import org.daig.api.trainer.WorkerException;
import org.daig.blob.client.BlobClient;
import org.daig.provider.enrol.EnrolmentState;
import org.daig.requestor.ExpertsClient;
import org.daig.requestor.ExpertsClient.Hosting;
import org.daig.requestor.RequestorException;
import org.daig.trust.KnownCoordinators;
import org.daig.wire.VectorFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts a group of an experts project's cells (issue 18) while the volunteer participates and the
 * machine may work: takes a group from the coordinator, runs its experts in the worker JVM (the
 * {@code host-experts} operation, through the coordinator's expert relay when it has one), renews
 * the lease, uploads the experts' parameters as a checkpoint every so often, and gives the group
 * back when the machine turns busy or the volunteer stops. Called by a timer ({@link #tick}); each
 * problem is one log line and the next tick tries again.
 */
final class ExpertHostingLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ExpertHostingLoop.class);
    /** Most rows one expert call may carry. */
    private static final int MAX_ROWS = 4096;

    /** How the provider reaches its coordinator and what address its experts have when served directly. */
    record Settings(String directHost, Path relayCa, Path tmpDir) {
    }

    private final Supplier<EnrolmentState> enrolment;
    private final Supplier<String> deviceToken;
    private final BooleanSupplier mayWork;
    private final WarmWorker worker;
    private final Settings settings;
    private final LongSupplier clock;
    private Hosting hosting;
    private ExpertsClient client;
    private long nextRenew;
    private long nextCheckpoint;

    /** @param worker the hosting worker: its own JVM, with the network (not the training worker's sandbox), never suspended */
    ExpertHostingLoop(Supplier<EnrolmentState> enrolment, Supplier<String> deviceToken, BooleanSupplier mayWork, WarmWorker worker,
            Settings settings, LongSupplier clock) {
        this.enrolment = enrolment;
        this.deviceToken = deviceToken;
        this.mayWork = mayWork;
        this.worker = worker;
        this.settings = settings;
        this.clock = clock;
    }

    /** What it hosts now, for the status: "project/group", or null. */
    synchronized String hosting() {
        Hosting h = hosting;
        return h == null ? null : h.project() + "/" + h.group();
    }

    synchronized void tick() {
        try {
            EnrolmentState e = enrolment.get();
            if (e == null || !e.enrolled() || e.coordinator() == null) {
                return;
            }
            boolean may = mayWork.getAsBoolean();
            if (hosting == null) {
                if (may) {
                    start(e);
                }
            } else if (!may) {
                stop("the machine may not work now");
            } else {
                keep();
            }
        } catch (RequestorException | IOException | WorkerException | RuntimeException ex) {
            LOG.warn("Hosting experts: {}", ex.getMessage());
            if (hosting != null && ex instanceof WorkerException) {
                hosting = null; // the worker died (or was killed with a task): the next tick takes the group again, from its checkpoint
            }
        }
    }

    /** Gives the group back (after a last checkpoint) and ends the hosting worker. */
    synchronized void close() {
        if (hosting != null) {
            try {
                stop("the provider is stopping");
            } catch (IOException | WorkerException | RuntimeException e) {
                LOG.warn("Could not give back the experts hosted here: {}", e.getMessage());
            }
        }
        worker.kill();
    }

    private void start(EnrolmentState e) throws RequestorException, IOException, WorkerException {
        client = new ExpertsClient(URI.create(e.coordinator()), deviceToken.get());
        Optional<Hosting> leased = client.lease();
        if (leased.isEmpty()) {
            return;
        }
        Hosting h = leased.get();
        float[] initial = h.checkpoint() == null ? null : download(e.coordinator(), h);
        HostRelay relay = h.relay() == null ? null : new HostRelay(h.relay(), deviceToken.get(), e.device(), relayCa(e.coordinator()));
        String host = h.relay() == null ? settings.directHost() : "127.0.0.1";
        TrainerClient.Hosting served = new TrainerClient(worker.get()).hostExperts(new HostRequest(h.cells(), h.width(), h.hidden(),
                h.optimizer(), h.learningRate(), h.seed(), h.token(), host, 0, null, 0, h.bootstrap(), 30_000, MAX_ROWS, relay), initial);
        hosting = h;
        long now = clock.getAsLong();
        nextRenew = now + renewMillis(h);
        nextCheckpoint = now + h.checkpointSeconds() * 1000;
        LOG.info("Hosting {} experts of project {} (group {}, {} to {}) as {}{}", h.cells().size(), h.project(), h.group(), h.cells().get(0),
                h.cells().get(h.cells().size() - 1), served.announced(), initial == null ? "" : ", from the group's checkpoint");
    }

    /**
     * What the hosting worker trusts for the relay's TLS: the configured file, else (an https coordinator)
     * the coordinator's certificate as this provider pinned it, written beside its other files; null: plain.
     */
    private String relayCa(String coordinator) throws IOException {
        if (settings.relayCa() != null) {
            return settings.relayCa().toString();
        }
        URI address = URI.create(coordinator);
        if (!"https".equalsIgnoreCase(address.getScheme())) {
            return null;
        }
        Path file = settings.tmpDir().resolve("coordinator-certificate.pem");
        Files.writeString(file, KnownCoordinators.certificatePem(address, System.getenv("DAIG_COORDINATOR_FINGERPRINT")));
        return file.toString();
    }

    private void keep() throws RequestorException, IOException, WorkerException {
        long now = clock.getAsLong();
        if (now >= nextCheckpoint) {
            renew(checkpoint());
            nextCheckpoint = now + hosting.checkpointSeconds() * 1000;
        } else if (now >= nextRenew) {
            renew(null);
        }
    }

    private void renew(String checkpoint) throws RequestorException, WorkerException {
        Hosting h = hosting;
        try {
            client.renew(h.project(), h.group(), checkpoint);
            nextRenew = clock.getAsLong() + renewMillis(h);
        } catch (RequestorException e) {
            if (e.status() == 409) { // the group went to another provider (or the project ended): stop serving it
                LOG.info("Stopped hosting group {} of experts project {}: {}", h.group(), h.project(), e.getMessage());
                hosting = null;
                stopWorkerHosting();
                return;
            }
            throw e;
        }
    }

    private void stop(String why) throws IOException, WorkerException {
        Hosting h = hosting;
        hosting = null;
        try {
            client.renew(h.project(), h.group(), checkpoint());
        } catch (RequestorException e) {
            LOG.info("The last checkpoint of group {} of {} was not taken: {}", h.group(), h.project(), e.getMessage());
        }
        try {
            stopWorkerHosting();
        } finally {
            worker.kill(); // its memory goes back to the volunteer while the machine is busy
        }
        try {
            client.release(h.project(), h.group());
        } catch (RequestorException e) {
            LOG.info("Giving back group {} of {}: {}", h.group(), h.project(), e.getMessage());
        }
        LOG.info("Gave back group {} of experts project {}: {}", h.group(), h.project(), why);
    }

    private void stopWorkerHosting() throws WorkerException {
        if (worker.current() != null && worker.current().isAlive()) {
            new TrainerClient(worker.current()).stopHosting();
        }
    }

    /** Uploads the hosted experts' parameters; answers the blob id. */
    private String checkpoint() throws IOException, WorkerException {
        HostedParameters p = new TrainerClient(worker.get()).expertParameters();
        Path file = Files.createTempFile(settings.tmpDir(), "experts", ".npy");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                VectorFile.write(out, p.values());
            }
            return blobs(enrolment.get().coordinator()).upload(file, n -> { });
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private float[] download(String coordinator, Hosting h) throws IOException {
        Path file = Files.createTempFile(settings.tmpDir(), "checkpoint", ".npy");
        try {
            blobs(coordinator).download(h.checkpoint(), file, n -> { });
            try (InputStream in = Files.newInputStream(file)) {
                return VectorFile.read(in, h.checkpointParameters());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private BlobClient blobs(String coordinator) {
        String base = coordinator.endsWith("/") ? coordinator.substring(0, coordinator.length() - 1) : coordinator;
        return new BlobClient(URI.create(base + "/api/v1/blobs/"), deviceToken);
    }

    /** Renew well before the lease lapses: four times per lease. */
    private static long renewMillis(Hosting h) {
        return Math.max(1_000, h.leaseSeconds() * 1000 / 4);
    }
}
