package org.daig.coordinator.access;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "DAIG coordinator: access", description = "Who may reach what beyond the accounts' roles: requestors' storage, and whether the operator pages are open.")
public @interface AccessConfig {

    String PID = "org.daig.coordinator.access";

    @AttributeDefinition(name = "Storage per account (bytes)", description = "The blobs a requestor uploaded may take at most this much; unfinished uploads count too.", min = "0")
    long uploadQuotaBytes() default 21474836480L;

    @AttributeDefinition(name = "Largest upload (bytes)", description = "One requestor upload may have at most this many bytes. 0: only the blob store's own limit (maxBlobBytes).", min = "0")
    long maxUploadBytes() default 0;

    @AttributeDefinition(name = "Uploads per task", description = "A provider may upload at most this many blobs for each task it holds (a result, and retries).", min = "1")
    int uploadsPerLease() default 4;

    @AttributeDefinition(name = "Open /metrics", description = "Serve /metrics without a token (e.g. to a Prometheus on a private network). Otherwise it needs an admin's token.")
    boolean openMetrics() default false;

    @AttributeDefinition(name = "Open /status", description = "Serve the /status page without a token. Otherwise it needs an admin's token.")
    boolean openStatus() default false;
}
