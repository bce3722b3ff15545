package org.daig.blob.s3;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Where the S3 blob store keeps blobs. Used only while {@code store=s3} in {@code org.daig.blob}
 * (which also sets maxBlobBytes and abandonedUploadHours for both stores).
 */
@ObjectClassDefinition(name = "DAIG blob store on S3", description = "Blobs in a bucket of an S3-compatible object store (AWS S3, MinIO, Ceph RGW, Garage, S3Proxy). Used while store=s3 in org.daig.blob.")
public @interface S3StoreConfig {

    String PID = "org.daig.blob.s3";

    @AttributeDefinition(name = "Endpoint URL", description = "The S3 server, e.g. http://minio.example:9000. Empty: AWS S3's own endpoint for the region.", required = false)
    String endpoint() default "";

    @AttributeDefinition(name = "Region", description = "The bucket's region (most other S3 servers accept any, e.g. us-east-1).")
    String region() default "us-east-1";

    @AttributeDefinition(name = "Bucket", description = "The bucket; it must exist.", required = false)
    String bucket() default "";

    @AttributeDefinition(name = "Path-style access", description = "true: http://host/bucket/key (MinIO, S3Proxy, most self-hosted servers); false: http://bucket.host/key (AWS).")
    boolean pathStyleAccess() default false;

    @AttributeDefinition(name = "Access key id", description = "Empty: the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, the instance's role).", required = false)
    String accessKeyId() default "";

    @AttributeDefinition(name = "Secret key", description = "The secret access key (better: secretKeyFile).", type = AttributeType.PASSWORD, required = false)
    String _secretKey() default "";

    @AttributeDefinition(name = "Secret key file", description = "A file holding the secret access key (relative paths are in the data folder); wins over the secret key.", required = false)
    String secretKeyFile() default "";

    @AttributeDefinition(name = "Key prefix", description = "Prepended to every key: blobs go to <prefix>blobs/<id>, unfinished uploads to <prefix>uploads/.", required = false)
    String keyPrefix() default "daig/";

    @AttributeDefinition(name = "Part size (bytes)", description = "Uploads go to S3 in parts of this size (at least 5 MiB, S3's smallest part); one part per upload in flight is held in memory.", min = "5242880")
    long partSizeBytes() default 8388608L;

    @AttributeDefinition(name = "Local folder", description = "Empty: blob-cache/ in the data folder. Holds the cache for local readers and each unfinished upload's last partial part.", required = false)
    String cacheDir() default "";

    @AttributeDefinition(name = "Cache size (bytes)", description = "Blobs read by local readers (the trainer) are kept up to this size, least recently used first out.", min = "0")
    long cacheMaxBytes() default 10737418240L;

    @AttributeDefinition(name = "Checksums", description = "when_required: only where S3 requires them (works with every S3 server tried); when_supported: CRC checksums on every upload (AWS S3).", options = {
        @Option(label = "When required", value = "when_required"), @Option(label = "When supported", value = "when_supported") })
    String checksums() default "when_required";
}
