package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import org.daig.api.blob.BlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Choosing the blob store (store in org.daig.blob): exactly one BlobStore service, the file store
 * unless store=s3; with store=s3 the S3 store offers the service only once its bucket answers,
 * and says in one line which setting to fix until then. (The S3 store against a real S3 server is
 * tested in bundles/org.daig.blob.s3.)
 */
class BlobStoreSwitchTest {

    private final Grid grid = new Grid();

    @AfterEach
    void tearDown() throws Exception {
        grid.close(); // deletes both configurations: the file store comes back, and the coordinator with it
        Grid.await("the file store is the blob store again", () -> stores().equals(List.of("file")));
        Grid.await("the coordinator's components are back on the file store", () -> active("org.daig.coordinator.service.ProjectBook")
                && active("org.daig.blob.BlobServlet"));
    }

    /** The store property of every BlobStore service. */
    private List<String> stores() {
        try {
            List<String> stores = new ArrayList<>();
            for (ServiceReference<BlobStore> ref : grid.context.getServiceReferences(BlobStore.class, null)) {
                stores.add(String.valueOf(ref.getProperty("store")));
            }
            return stores;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean active(String component) {
        ServiceComponentRuntime scr = grid.service(ServiceComponentRuntime.class, null).orElseThrow();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (description.name.equals(component)) {
                return scr.getComponentConfigurationDTOs(description).stream()
                        .anyMatch(c -> c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED);
            }
        }
        return false;
    }

    @Test
    void storeS3TurnsTheFileStoreOffAndTheS3StoreWaitsForItsBucketWithOneLine() throws Exception {
        grid.bundle("org.daig.blob.s3").start();
        Hashtable<String, Object> blob = new Hashtable<>();
        blob.put("store", "file"); // as the product's config/org.daig.blob.cfg says
        grid.update("org.daig.blob", blob);
        Grid.await("the file store by default", () -> stores().equals(List.of("file")));
        int port = Grid.freePort(); // nothing listens there
        try (LogCapture log = new LogCapture()) {
            Hashtable<String, Object> s3 = new Hashtable<>();
            s3.put("endpoint", "http://127.0.0.1:" + port);
            s3.put("bucket", "daig-it");
            s3.put("pathStyleAccess", true);
            s3.put("accessKeyId", "key");
            s3.put(".secretKey", "secret");
            grid.update("org.daig.blob.s3", s3);
            log.await("org.daig.blob.s3 is configured but store=file");
            assertEquals(List.of("file"), stores(), "configuring S3 alone changes nothing");

            blob.put("store", "s3");
            grid.update("org.daig.blob", blob);

            Grid.await("no blob store while the S3 server cannot be reached", () -> stores().isEmpty());
            log.await("The S3 blob store is not available: cannot reach http://127.0.0.1:" + port, "check endpoint in org.daig.blob.s3");
        }
    }
}
