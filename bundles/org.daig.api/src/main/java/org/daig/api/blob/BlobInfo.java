package org.daig.api.blob;

/**
 * A complete, verified blob.
 *
 * @param id   the lower-case hex SHA-256 of its bytes
 * @param size its length in bytes
 */
public record BlobInfo(String id, long size) {
}
