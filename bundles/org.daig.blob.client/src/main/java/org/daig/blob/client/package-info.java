/**
 * Moving blobs over HTTP from plain Java (no OSGi needed): {@link org.daig.blob.client.BlobClient}
 * uploads with resume and downloads with verification; {@link org.daig.blob.client.BlobCache}
 * keeps verified blobs on local disk within a size limit.
 */
package org.daig.blob.client;
