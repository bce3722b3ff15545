package org.daig.blob.s3;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.daig.api.blob.BlobStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers the S3 blob store as the {@link BlobStore} service while {@code store=s3} in
 * {@code org.daig.blob} and {@code org.daig.blob.s3} is configured (both configurations are
 * required). The service appears only once the bucket answered; until then one line says what is
 * wrong and which setting fixes it, and the store tries again every {@link #RETRY_SECONDS} seconds,
 * reading its settings and secret key file again (an S3 server that starts after the coordinator,
 * or a corrected secret key file, is found without a restart).
 */
@Component(configurationPid = { S3StoreConfig.PID, S3Settings.BLOB_PID }, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public class S3StoreComponent {

    private static final Logger LOG = LoggerFactory.getLogger(S3StoreComponent.class);
    static final int RETRY_SECONDS = 30;

    private ScheduledExecutorService timer;
    private ScheduledFuture<?> connecting;
    private volatile S3BlobStore store;
    private volatile ServiceRegistration<BlobStore> registration;
    private String lastProblem;

    @Activate
    void activate(BundleContext context, S3StoreConfig config, Map<String, Object> properties) {
        String chosen = S3Settings.chosenStore(properties);
        if (!chosen.equals("s3")) {
            LOG.info("{} is configured but store={} in {}: blobs stay in the {} store (set store=s3 there to use S3)", S3StoreConfig.PID,
                    chosen, S3Settings.BLOB_PID, chosen);
            return;
        }
        String dataDir = context.getProperty("daig.data.dir");
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daig-blob-s3");
            t.setDaemon(true);
            return t;
        });
        connecting = timer.scheduleWithFixedDelay(() -> connect(context, config, properties, dataDir), 0, RETRY_SECONDS, TimeUnit.SECONDS);
    }

    /** One try: the settings are read again each time, so a corrected secretKeyFile is taken without a restart. */
    private void connect(BundleContext context, S3StoreConfig config, Map<String, Object> properties, String dataDir) {
        if (store != null) {
            return;
        }
        try {
            S3Settings settings = S3Settings.from(config, properties, dataDir);
            S3BlobStore connected = new S3BlobStore(settings);
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("store", "s3");
            store = connected;
            registration = context.registerService(BlobStore.class, connected, props);
            LOG.info("Blob store on S3: bucket {} at {}, keys under '{}', parts of {} bytes, local folder {}", settings.bucket(),
                    settings.where(), settings.prefix(), settings.partSize(), settings.localDir().toAbsolutePath());
            connecting.cancel(false);
            long every = Math.max(1, Math.min(60, settings.abandonAfter().toMinutes() / 4));
            timer.scheduleWithFixedDelay(connected::removeAbandonedUploads, every, every, TimeUnit.MINUTES);
        } catch (IOException | RuntimeException e) {
            String problem = e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.error("The S3 blob store is not available: {} (trying again every {} s)", problem, RETRY_SECONDS);
                lastProblem = problem;
            }
        }
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ServiceRegistration<BlobStore> registered = registration;
        if (registered != null) {
            try {
                registered.unregister();
            } catch (IllegalStateException e) {
                // gone with the bundle already
            }
        }
        S3BlobStore open = store;
        if (open != null) {
            open.close();
        }
    }
}
