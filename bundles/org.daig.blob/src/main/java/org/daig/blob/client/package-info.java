/**
 * Moving blobs over HTTP from plain Java (no OSGi needed): {@link org.daig.blob.client.BlobClient}
 * uploads with resume and downloads with verification; {@link org.daig.blob.client.BlobCache}
 * keeps verified blobs on local disk within a size limit.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.daig.blob.client;
