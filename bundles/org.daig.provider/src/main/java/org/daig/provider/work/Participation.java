package org.daig.provider.work;

import org.daig.api.volunteer.Volunteer;

/**
 * The volunteer's controls plus the work loop's details, for the provider's own loopback servlet and
 * Gogo commands. Internal to the provider: other bundles use {@link Volunteer}.
 */
public interface Participation extends Volunteer {

    WorkStatus workStatus();
}
