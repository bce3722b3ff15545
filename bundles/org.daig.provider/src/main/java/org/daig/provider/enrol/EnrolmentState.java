package org.daig.provider.enrol;

/**
 * Whether this provider is enrolled on its grid, for whom, and what the volunteer should know.
 *
 * @param enrolled    whether a device token is on disk (the provider's connection uses it)
 * @param account     the account the device belongs to; null when not enrolled or not known
 * @param device      the device id (the provider's MQTT client id); null when not known
 * @param coordinator the coordinator's HTTP address it enrolled with, or would enrol with
 * @param message     a line for the volunteer: what the state is and, when not enrolled, what to do
 */
public record EnrolmentState(boolean enrolled, String account, String device, String coordinator, String message) {

    /** What to do when nothing is configured to enrol with. */
    public static final String HOW_TO_ENROL = "not enrolled: ask your grid's admin for an enrolment code and put it in"
            + " config/org.daig.provider.cfg (.enrolmentCode=...)";

    public static EnrolmentState notEnrolled(String coordinator, String message) {
        return new EnrolmentState(false, null, null, coordinator, message);
    }
}
