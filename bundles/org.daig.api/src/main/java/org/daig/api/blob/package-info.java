/**
 * The data plane's store: blobs (models, shards, parameters, updates) addressed by the SHA-256 of
 * their bytes. docs/protocol.md describes how they travel over HTTP.
 */
package org.daig.api.blob;
