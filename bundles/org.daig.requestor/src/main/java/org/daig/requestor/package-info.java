/**
 * The requestor's client of the coordinator: submit a project (uploading its files as blobs),
 * follow it, pause, resume or cancel it, and download its model (docs/protocol.md, "Requestor
 * API"); since 2.1 also its account endpoints ({@code AccountClient}: login, whoami, devices,
 * admin; docs/security.md), the saved login of {@code daig login} ({@code SavedLogin}) and an
 * enrolled provider's files ({@code DeviceFiles}). Plain Java: the {@code daig} command line uses
 * it on a plain class path, the workbench and the provider inside OSGi.
 */
package org.daig.requestor;
