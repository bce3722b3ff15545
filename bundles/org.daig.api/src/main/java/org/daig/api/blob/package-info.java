/**
 * The data plane's store: blobs (models, shards, parameters, updates) addressed by the SHA-256 of
 * their bytes. docs/protocol.md describes how they travel over HTTP.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.daig.api.blob;
