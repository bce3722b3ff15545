package org.daig.blob.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The few S3 calls the store makes, on one bucket under one key prefix, through the AWS SDK v2
 * with the JDK's HttpURLConnection (no Netty, no Apache client). Every failure comes out as an
 * {@link IOException} whose message names the setting to fix ({@link S3Problems}).
 */
final class Bucket implements AutoCloseable {

    /** One key with its last change, from a listing. */
    record Entry(String key, Instant modified) {
    }

    /** Requests that carry a body at once: HttpURLConnection holds each body (one part at most) in memory. */
    static final int BODIES_IN_FLIGHT = 4;

    private final S3Settings settings;
    private final S3Client s3;
    private final Semaphore bodies = new Semaphore(BODIES_IN_FLIGHT, true);

    Bucket(S3Settings settings) {
        this.settings = settings;
        this.s3 = withOwnClassLoader(() -> client(settings));
    }

    /**
     * Builds the client with this bundle's class loader as the context class loader: the SDK finds
     * its interceptor lists and protocol files through it, and they are inside this bundle.
     */
    private static <T> T withOwnClassLoader(Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(Bucket.class.getClassLoader());
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static S3Client client(S3Settings settings) {
        AwsCredentialsProvider credentials = settings.accessKeyId().isEmpty() ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretKey()));
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofMinutes(2))
                        .build())
                .requestChecksumCalculation(settings.checksumsAlways() ? RequestChecksumCalculation.WHEN_SUPPORTED
                        : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(settings.checksumsAlways() ? ResponseChecksumValidation.WHEN_SUPPORTED
                        : ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    String key(String name) {
        return settings.prefix() + name;
    }

    /** Checks that the bucket is there and this key may use it: lists one key under the prefix. */
    void check() throws IOException {
        call("checking the bucket", () -> s3.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(settings.prefix()).maxKeys(1)));
    }

    /** The object's size, empty when there is none. */
    OptionalLong size(String key) throws IOException {
        try {
            return OptionalLong.of(s3.headObject(b -> b.bucket(settings.bucket()).key(key)).contentLength());
        } catch (SdkException e) {
            if (S3Problems.status(e) == 404) {
                return OptionalLong.empty();
            }
            throw failure(e, "looking up " + key);
        }
    }

    /** The object's bytes from {@code offset} on; empty when there is no such object. */
    Optional<ResponseInputStream<GetObjectResponse>> read(String key, long offset) throws IOException {
        try {
            return Optional.of(s3.getObject(b -> {
                b.bucket(settings.bucket()).key(key);
                if (offset > 0) {
                    b.range("bytes=" + offset + "-");
                }
            }));
        } catch (SdkException e) {
            if (S3Problems.status(e) == 404 && S3Problems.code(e).equals("NoSuchKey")) {
                return Optional.empty();
            }
            if (S3Problems.status(e) == 416) {
                throw new IllegalArgumentException("offset " + offset + " is at or past the end of " + key);
            }
            throw failure(e, "reading " + key);
        }
    }

    /** A small object's bytes, or empty. */
    Optional<byte[]> bytes(String key) throws IOException {
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asByteArray());
        } catch (SdkException e) {
            if (S3Problems.status(e) == 404) {
                return Optional.empty();
            }
            throw failure(e, "reading " + key);
        }
    }

    void put(String key, byte[] bytes) throws IOException {
        body("writing " + key, () -> s3.putObject(b -> b.bucket(settings.bucket()).key(key), RequestBody.fromBytes(bytes)));
    }

    /** Writes {@code length} bytes of a file from {@code offset} as one object. */
    void put(String key, Path file, long offset, long length) throws IOException {
        body("writing " + key, () -> s3.putObject(b -> b.bucket(settings.bucket()).key(key).contentLength(length), slice(file, offset, length)));
    }

    void delete(String key) throws IOException {
        call("deleting " + key, () -> s3.deleteObject(b -> b.bucket(settings.bucket()).key(key)));
    }

    String startMultipart(String key) throws IOException {
        return call("starting a multipart upload of " + key, () -> s3.createMultipartUpload(b -> b.bucket(settings.bucket()).key(key)).uploadId());
    }

    /** Uploads part {@code number} from {@code length} bytes of a file; returns its ETag. */
    String putPart(String key, String uploadId, int number, Path file, long offset, long length) throws IOException {
        return body("uploading part " + number + " of " + key, () -> s3.uploadPart(
                b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId).partNumber(number).contentLength(length),
                slice(file, offset, length)).eTag());
    }

    /** Makes the object of a multipart upload appear under its key, from its parts in order (ETags). */
    void complete(String key, String uploadId, List<String> etags) throws IOException {
        List<CompletedPart> parts = new ArrayList<>();
        for (int i = 0; i < etags.size(); i++) {
            parts.add(CompletedPart.builder().partNumber(i + 1).eTag(etags.get(i)).build());
        }
        call("completing the upload of " + key, () -> s3.completeMultipartUpload(
                b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
    }

    /** Drops a multipart upload and its parts; one that is gone already is fine. */
    void abort(String key, String uploadId) throws IOException {
        try {
            s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            if (S3Problems.status(e) != 404) {
                throw failure(e, "aborting the upload of " + key);
            }
        }
    }

    /** The objects whose keys start with {@code prefix}. */
    List<Entry> list(String prefix) throws IOException {
        return call("listing " + prefix, () -> {
            List<Entry> entries = new ArrayList<>();
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix)).contents()) {
                entries.add(new Entry(object.key(), object.lastModified()));
            }
            return entries;
        });
    }

    /** The unfinished multipart uploads whose keys start with {@code prefix}: key, upload id, start. */
    List<MultipartUpload> multipartUploads(String prefix) throws IOException {
        return call("listing unfinished uploads", () -> {
            List<MultipartUpload> uploads = new ArrayList<>();
            s3.listMultipartUploadsPaginator(b -> b.bucket(settings.bucket()).prefix(prefix)).uploads().forEach(uploads::add);
            return uploads;
        });
    }

    private static RequestBody slice(Path file, long offset, long length) {
        return RequestBody.fromContentProvider(() -> {
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                channel.position(offset);
                return new Bounded(Channels.newInputStream(channel), length);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, length, "application/octet-stream");
    }

    private <T> T body(String doing, Supplier<T> request) throws IOException {
        try {
            bodies.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to start " + doing);
        }
        try {
            return call(doing, request);
        } finally {
            bodies.release();
        }
    }

    private <T> T call(String doing, Supplier<T> request) throws IOException {
        try {
            return request.get();
        } catch (SdkException e) {
            throw failure(e, doing);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private IOException failure(SdkException e, String doing) {
        return new S3Problems.Unavailable(S3Problems.explain(e, settings, doing), e);
    }

    @Override
    public void close() {
        s3.close();
    }

    /** At most {@code left} bytes of a stream. */
    private static final class Bounded extends InputStream {

        private final InputStream in;
        private long left;

        Bounded(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
