package org.daig.blob.s3;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The S3 store's settings, checked: every refusal names the setting and its configuration PID,
 * and says how to fix it.
 *
 * @param endpoint       the S3 server, null for AWS's own endpoint
 * @param region         the signing region
 * @param bucket         the bucket, which must exist
 * @param pathStyle      bucket in the path rather than in the host name
 * @param accessKeyId    empty: the SDK's default credential chain
 * @param secretKey      the secret access key (empty with the default chain)
 * @param prefix         prepended to every key
 * @param partSize       bytes per multipart part
 * @param localDir       the cache and the unfinished uploads' partial parts
 * @param cacheMaxBytes  the cache's size
 * @param maxBlobBytes   the largest blob accepted
 * @param abandonAfter   unfinished uploads untouched this long are removed
 * @param checksumsAlways CRC checksums on every upload (AWS); else only where S3 requires them
 */
public record S3Settings(URI endpoint, String region, String bucket, boolean pathStyle, String accessKeyId, String secretKey, String prefix,
        long partSize, Path localDir, long cacheMaxBytes, long maxBlobBytes, Duration abandonAfter, boolean checksumsAlways) {

    /** S3's smallest part (all but the last). */
    public static final long MIN_PART = 5L << 20;
    /** S3's largest part. */
    public static final long MAX_PART = 5L << 30;
    /** S3's most parts per upload. */
    public static final int MAX_PARTS = 10_000;
    /** The blob store's own PID ({@code org.daig.blob}): the store switch and the limits shared by both stores. */
    public static final String BLOB_PID = "org.daig.blob";

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket in " + S3StoreConfig.PID + " is empty: name the bucket the blobs go to (it must exist)");
        }
        if (partSize < MIN_PART || partSize > MAX_PART) {
            throw new IllegalArgumentException("partSizeBytes in " + S3StoreConfig.PID + " is " + partSize + ": S3 takes parts of " + MIN_PART
                    + " (5 MiB) to " + MAX_PART + " bytes");
        }
        if (maxBlobBytes < 1) {
            throw new IllegalArgumentException("maxBlobBytes in " + BLOB_PID + " must be at least 1, not " + maxBlobBytes);
        }
        if (maxBlobBytes > partSize * MAX_PARTS) {
            throw new IllegalArgumentException("maxBlobBytes in " + BLOB_PID + " (" + maxBlobBytes + ") needs more than S3's " + MAX_PARTS
                    + " parts of partSizeBytes " + partSize + " in " + S3StoreConfig.PID + ": raise partSizeBytes to at least "
                    + ((maxBlobBytes + MAX_PARTS - 1) / MAX_PARTS) + " or lower maxBlobBytes");
        }
        if (cacheMaxBytes < 0) {
            throw new IllegalArgumentException("cacheMaxBytes in " + S3StoreConfig.PID + " must be 0 or more, not " + cacheMaxBytes);
        }
        if (abandonAfter.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("abandonedUploadHours in " + BLOB_PID + " must be at least 1");
        }
        if (!accessKeyId.isEmpty() && secretKey.isEmpty()) {
            throw new IllegalArgumentException("accessKeyId in " + S3StoreConfig.PID
                    + " is set but no secret key: set secretKeyFile (or .secretKey)");
        }
        prefix = prefix == null ? "" : prefix.strip();
    }

    /** Which store the blob store's configuration chose: "file" (the default) or "s3". */
    static String chosenStore(Map<String, ?> properties) {
        Object store = properties.get("store");
        return store == null ? "file" : String.valueOf(store).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * The settings from the two configurations; {@code dataDir} is the framework's daig.data.dir.
     *
     * @throws IllegalArgumentException naming the setting that is wrong and how to fix it
     */
    static S3Settings from(S3StoreConfig config, Map<String, ?> properties, String dataDir) {
        Path data = Path.of(dataDir == null || dataDir.isBlank() ? "daig-data" : dataDir);
        URI endpoint = null;
        if (!config.endpoint().isBlank()) {
            try {
                endpoint = new URI(config.endpoint().strip());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("endpoint in " + S3StoreConfig.PID + " is not a URL (" + e.getMessage()
                        + "): write it as http://host:port or https://host");
            }
            if (endpoint.getScheme() == null || endpoint.getHost() == null
                    || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
                throw new IllegalArgumentException("endpoint in " + S3StoreConfig.PID + " is '" + config.endpoint()
                        + "': write it as http://host:port or https://host");
            }
        }
        String secret = config._secretKey();
        if (!config.secretKeyFile().isBlank()) {
            Path file = data.resolve(config.secretKeyFile().strip());
            try {
                secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("secretKeyFile in " + S3StoreConfig.PID + " names " + file.toAbsolutePath()
                        + ", which cannot be read (" + e + "): put the secret access key in that file");
            }
        }
        Path local = config.cacheDir().isBlank() ? data.resolve("blob-cache") : Path.of(config.cacheDir().strip());
        String checksums = config.checksums().strip().toLowerCase(Locale.ROOT);
        if (!checksums.equals("when_required") && !checksums.equals("when_supported")) {
            throw new IllegalArgumentException("checksums in " + S3StoreConfig.PID + " is '" + config.checksums()
                    + "': write when_required or when_supported");
        }
        return new S3Settings(endpoint, config.region().strip(), config.bucket().strip(), config.pathStyleAccess(),
                config.accessKeyId().strip(), secret == null ? "" : secret.strip(), config.keyPrefix(), config.partSizeBytes(), local,
                config.cacheMaxBytes(), number(properties, "maxBlobBytes", 68719476736L),
                Duration.ofHours(number(properties, "abandonedUploadHours", 24)), checksums.equals("when_supported"));
    }

    private static long number(Map<String, ?> properties, String key, long otherwise) {
        Object value = properties.get(key);
        if (value == null) {
            return otherwise;
        }
        try {
            return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " in " + BLOB_PID + " is '" + value + "', not a number");
        }
    }

    /** Where the server is, for messages. */
    String where() {
        return endpoint == null ? "AWS S3 (" + region + ")" : endpoint.toString();
    }

    @Override
    public String toString() { // never the secret
        return "S3Settings[" + where() + ", bucket " + bucket + ", prefix '" + prefix + "', access key " + accessKeyId + ", part size "
                + partSize + ", local folder " + localDir + "]";
    }
}
