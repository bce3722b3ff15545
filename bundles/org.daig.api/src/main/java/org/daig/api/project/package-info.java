/**
 * The requestor's view of projects: what is submitted, what comes back. These records are the
 * JSON bodies of the requestor API (docs/protocol.md, "Requestor API"). {@link org.daig.api.project.ProjectChecks}
 * holds the checks a project must pass, for every side that makes them.
 */
package org.daig.api.project;
