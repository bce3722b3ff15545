/**
 * The requestor's client of the coordinator: submit a project (uploading its files as blobs),
 * follow it, pause, resume or cancel it, and download its model (docs/protocol.md, "Requestor
 * API"). Plain Java: the {@code daig} command line uses it on a plain class path, the workbench
 * inside OSGi.
 */
package org.daig.requestor;
