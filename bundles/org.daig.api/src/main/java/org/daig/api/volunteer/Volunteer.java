package org.daig.api.volunteer;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/** A provider as its volunteer sees it: participation, snoozing, and leaving politely. */
@ProviderType
public interface Volunteer {

    /** What the provider is doing now; cheap, call it as often as a display refreshes. */
    VolunteerStatus status();

    /**
     * Switches participation on or off; remembered across restarts. Off gives a running task back
     * at once so another volunteer can do it.
     */
    void participate(boolean on) throws IOException;

    /**
     * No training until {@code until} (null ends a snooze). A running task is suspended as when the
     * user is busy, and resumes afterwards if its deadline allows. Not remembered across restarts.
     */
    void snoozeUntil(Instant until);

    /**
     * Takes no new task for the rest of this run (for quitting). With {@code giveBackNow} the
     * running task is given back at once; otherwise it is finished and its result delivered.
     *
     * @return completes when no task is running any more
     */
    CompletableFuture<Void> finishUp(boolean giveBackNow);
}
