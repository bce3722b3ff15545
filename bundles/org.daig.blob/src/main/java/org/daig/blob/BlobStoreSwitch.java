package org.daig.blob;

import java.util.Locale;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the blob store, so exactly one {@link org.daig.api.blob.BlobStore} service exists:
 * {@code store=file} (the default) enables {@link FileBlobStore}; {@code store=s3} leaves it off
 * and the S3 store of bundle org.daig.blob.s3 offers the service (it reads the same setting).
 * A change takes effect at once: the coordinator's components rebind to the other store.
 */
@Component(configurationPid = BlobStoreConfig.PID, immediate = true)
public class BlobStoreSwitch {

    private static final Logger LOG = LoggerFactory.getLogger(BlobStoreSwitch.class);
    static final String FILE_STORE = FileBlobStore.class.getName();

    @Activate
    @Modified
    void choose(ComponentContext context, BlobStoreConfig config) {
        String store = config.store() == null ? "file" : config.store().strip().toLowerCase(Locale.ROOT);
        switch (store) {
        case "file" -> context.enableComponent(FILE_STORE);
        case "s3" -> {
            context.disableComponent(FILE_STORE);
            LOG.info("Blobs are kept on S3 (store=s3 in {}): bundle org.daig.blob.s3 offers the blob store once {} is configured"
                    + " and its bucket answers", BlobStoreConfig.PID, "org.daig.blob.s3");
        }
        default -> {
            context.disableComponent(FILE_STORE);
            LOG.error("store in {} is '{}': write file (this machine's disk) or s3; no blob store runs until then", BlobStoreConfig.PID,
                    config.store());
        }
        }
    }
}
