package org.daig.api.blob;

/**
 * Where an upload stands.
 *
 * @param id       the blob id the uploader promised
 * @param received bytes received and kept so far; the next chunk starts here
 * @param total    the size the uploader announced
 * @param complete whether all bytes arrived and their hash matched: the blob is in the store
 */
public record UploadState(String id, long received, long total, boolean complete) {
}
