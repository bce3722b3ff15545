/**
 * Presence of the grid's clients: which providers and coordinators are online, and what the
 * coordinator knows about each provider.
 */
package org.daig.api.presence;
