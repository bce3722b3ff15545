package org.daig.blob;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "DAIG blob store", description = "Where the content-addressed blobs (models, shards, updates) are kept, and how much they may take.")
public @interface BlobStoreConfig {

    String PID = "org.daig.blob";

    @AttributeDefinition(name = "Store", description = "file: blobs on this machine's disk (the settings below); s3: in an S3 bucket (bundle org.daig.blob.s3, configured in org.daig.blob.s3).", options = {
        @Option(label = "Local disk", value = "file"), @Option(label = "S3-compatible object store", value = "s3") })
    String store() default "file";

    @AttributeDefinition(name = "Folder", description = "Empty: blobs/ in the data folder (framework property daig.data.dir; daig-data/ without it).", required = false)
    String dir() default "";

    @AttributeDefinition(name = "Largest blob (bytes)", description = "Bigger uploads are refused before any byte is written.", min = "1")
    long maxBlobBytes() default 68719476736L;

    @AttributeDefinition(name = "Free disk space to keep (bytes)", description = "A write that would leave less free space on the blob folder's disk is refused.", min = "0")
    long minFreeBytes() default 268435456L;

    @AttributeDefinition(name = "Keep unfinished uploads (hours)",
            description = "An upload nobody added to for this long is abandoned and its partial file deleted.", min = "1")
    long abandonedUploadHours() default 24;
}
