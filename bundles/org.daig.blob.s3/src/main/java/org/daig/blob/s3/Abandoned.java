package org.daig.blob.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.daig.api.blob.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Removes unfinished uploads that nobody added to for abandonedUploadHours: their S3 parts (which
 * S3 keeps, and bills, until aborted), their records, their local partial parts; also multipart
 * uploads a crash left without a record. An upload receiving a chunk right now is never touched.
 */
final class Abandoned {

    private static final Logger LOG = LoggerFactory.getLogger(Abandoned.class);

    private final S3BlobStore store;
    private final Bucket bucket;
    private final LocalCache local;
    private final Duration after;
    private final Clock clock;

    Abandoned(S3BlobStore store, Bucket bucket, LocalCache local, Duration after, Clock clock) {
        this.store = store;
        this.bucket = bucket;
        this.local = local;
        this.after = after;
        this.clock = clock;
    }

    void sweep() {
        Instant before = clock.instant().minus(after);
        try {
            String records = bucket.key("uploads/");
            for (Bucket.Entry entry : bucket.list(records)) {
                String name = entry.key().substring(records.length());
                String id = name.endsWith(".json") ? name.substring(0, name.length() - 5) : "";
                if (BlobStore.isValidId(id) && newest(id, entry.modified()).isBefore(before)) {
                    drop(id);
                }
            }
            for (Path tail : local.allTails()) {
                String id = tail.getFileName().toString().split("-", 2)[0];
                if (BlobStore.isValidId(id) && Files.getLastModifiedTime(tail).toInstant().isBefore(before)
                        && bucket.size(store.recordKey(id)).isEmpty()) {
                    drop(id);
                }
            }
            String blobs = bucket.key("blobs/");
            for (MultipartUpload upload : bucket.multipartUploads(blobs)) {
                String id = upload.key().substring(Math.min(blobs.length(), upload.key().length()));
                if (upload.initiated() != null && upload.initiated().isBefore(before) && BlobStore.isValidId(id)) {
                    Optional<UploadRecord> record = bucket.bytes(store.recordKey(id)).map(UploadRecord::parse);
                    if (record.isEmpty() || !upload.uploadId().equals(record.get().uploadId)) {
                        bucket.abort(upload.key(), upload.uploadId());
                        LOG.info("Aborted a multipart upload of blob {} that a crash left without its record", id);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not look for abandoned uploads: {}", e.getMessage());
        }
    }

    /** The later of the record's last change and the local partial part's. */
    private Instant newest(String id, Instant recorded) throws IOException {
        Instant newest = recorded;
        for (Path tail : local.tails(id)) {
            Instant touched = Files.getLastModifiedTime(tail).toInstant();
            if (touched.isAfter(newest)) {
                newest = touched;
            }
        }
        return newest;
    }

    private void drop(String id) throws IOException {
        S3BlobStore.Upload upload = store.tryLock(id);
        if (upload == null) {
            return; // a chunk is arriving right now
        }
        try {
            UploadRecord record = bucket.bytes(store.recordKey(id)).map(UploadRecord::parse).orElse(null);
            store.discard(id, record);
            if (record == null) {
                bucket.delete(store.recordKey(id)); // one that cannot be read
            }
            LOG.info("Removed the unfinished upload of blob {}: nothing was added to it for {} h", id, after.toHours());
        } finally {
            store.release(id, upload, true);
        }
    }
}
