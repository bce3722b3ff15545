package org.daig.api.machine;

import org.osgi.annotation.versioning.ProviderType;

/** Reads this machine's summary. */
@ProviderType
public interface MachineInfo {

    /** The summary of the machine this runs on; never null, fields it cannot read are "unknown"/0. */
    MachineSummary summary();
}
