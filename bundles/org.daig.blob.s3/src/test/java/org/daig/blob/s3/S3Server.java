package org.daig.blob.s3;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server for the tests: S3Proxy (Maven Central, org.gaul:s3proxy) in this JVM on a
 * free port, serving buckets from a folder through its filesystem-nio2 backend, with AWS
 * signature checks (v2 or v4) against one key pair. Stopping and starting it again on the same
 * folder keeps every object and unfinished multipart upload, as a restarted S3 server would.
 */
final class S3Server implements AutoCloseable {

    static final String KEY_ID = "daig-test-key";
    static final String SECRET = "daig-test-secret-0123456789";
    static final String BUCKET = "daig-blobs";

    private final Path dir;
    private BlobStoreContext context;
    private S3Proxy proxy;

    S3Server(Path dir) throws Exception {
        this.dir = dir;
        start();
        context.getBlobStore().createContainerInLocation(null, BUCKET);
    }

    void start() throws Exception {
        java.nio.file.Files.createDirectories(dir);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem-nio2").credentials("local", "local").overrides(properties).build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY_ID, SECRET).build();
        proxy.start();
        if (!proxy.getState().equals("STARTED")) {
            throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
    }

    void stop() throws Exception {
        proxy.stop();
        context.close();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Settings for a store on this server: 5 MiB parts, the given local folder, 1 GiB blobs at most. */
    S3Settings settings(Path local) {
        return settings(local, KEY_ID, SECRET, BUCKET);
    }

    S3Settings settings(Path local, String keyId, String secret, String bucket) {
        return new S3Settings(endpoint(), "us-east-1", bucket, true, keyId, secret, "grid/", S3Settings.MIN_PART, local, 1L << 30,
                1L << 30, Duration.ofHours(24), false);
    }

    /** The keys in the bucket, straight from the backend (not through the store). */
    java.util.List<String> keys() {
        return context.getBlobStore().list(BUCKET, org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive()).stream()
                .filter(m -> m.getType() == org.jclouds.blobstore.domain.StorageType.BLOB).map(m -> m.getName()).sorted().toList();
    }

    /** Replaces an object's bytes behind the store's back. */
    void overwrite(String key, byte[] bytes) {
        org.jclouds.blobstore.BlobStore blobs = context.getBlobStore();
        blobs.putBlob(BUCKET, blobs.blobBuilder(key).payload(bytes).build());
    }

    /** The unfinished multipart uploads in the bucket. */
    int multipartUploads() {
        return context.getBlobStore().listMultipartUploads(BUCKET).size();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
