/**
 * The requestor's view of projects: what is submitted, what comes back. These records are the
 * JSON bodies of the requestor API (docs/protocol.md, "Requestor API").
 */
package org.daig.api.project;
