/**
 * The volunteer's side of a provider, for the faces that sit on it (tray, status window, Gogo,
 * the loopback HTTP endpoint): what it is doing and why, and the few things a volunteer decides.
 */
package org.daig.api.volunteer;
