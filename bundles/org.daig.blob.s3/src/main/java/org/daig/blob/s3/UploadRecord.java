package org.daig.blob.s3;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;

/**
 * The durable state of an unfinished upload, kept next to it in the bucket
 * ({@code <prefix>uploads/<id>.json}): the S3 multipart upload, the ETag and size of each part
 * sent so far, and the SHA-256 state after the last of them (Bouncy Castle's encoded digest
 * state), so a restarted store goes on hashing without reading a byte back.
 */
final class UploadRecord {

    private static final Gson GSON = new Gson();

    String uploadId;
    long total;
    long partSize;
    List<String> etags = new ArrayList<>();
    /** Base64 of the digest's encoded state after the last part. */
    String digest;

    long partBytes() {
        return partSize * etags.size();
    }

    byte[] digestState() {
        return Base64.getDecoder().decode(digest);
    }

    UploadRecord withPart(String etag, byte[] digestState) {
        UploadRecord next = new UploadRecord();
        next.uploadId = uploadId;
        next.total = total;
        next.partSize = partSize;
        next.etags = new ArrayList<>(etags);
        next.etags.add(etag);
        next.digest = Base64.getEncoder().encodeToString(digestState);
        return next;
    }

    byte[] toJson() {
        return GSON.toJson(this).getBytes(StandardCharsets.UTF_8);
    }

    /** The record, or null when the bytes are not one (it is then treated as absent). */
    static UploadRecord parse(byte[] json) {
        try {
            UploadRecord record = GSON.fromJson(new String(json, StandardCharsets.UTF_8), UploadRecord.class);
            if (record == null || record.uploadId == null || record.etags == null || record.partSize <= 0
                    || (!record.etags.isEmpty() && record.digest == null)) {
                return null;
            }
            return record;
        } catch (JsonParseException | IllegalArgumentException e) {
            return null;
        }
    }
}
