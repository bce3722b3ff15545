/**
 * Presence of the grid's clients: which providers and coordinators are online, and what the
 * coordinator knows about each provider.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.daig.api.presence;
