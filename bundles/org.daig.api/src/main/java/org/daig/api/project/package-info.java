/**
 * The requestor's view of projects: what is submitted, what comes back. These records are the
 * JSON bodies of the requestor API (docs/protocol.md, "Requestor API").
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.daig.api.project;
