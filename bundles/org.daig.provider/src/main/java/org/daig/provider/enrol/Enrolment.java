package org.daig.provider.enrol;

/** The provider's enrolment as its status, the tray and the volunteer service show it. */
public interface Enrolment {

    /** The latest state; cheap. */
    EnrolmentState state();
}
