package org.daig.api.machine;

import org.osgi.annotation.versioning.ConsumerType;

/** Told when the idle decision changes between may-run and may-not-run (not on every sample). */
@ConsumerType
public interface IdleListener {

    void decisionChanged(IdleDecision decision);
}
