package org.daig.coordinator.service;

import org.daig.api.project.Progress;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.VersionRow;

/** A version's figures as the progress event requestors see (published, and in the versions list). */
final class ProgressFigures {

    private ProgressFigures() {
    }

    static Progress of(Scheduler scheduler, ProjectRow project, VersionRow version, double loss, double accuracy) {
        double eta = scheduler.live(project.id()).map(Scheduler.Live::etaSeconds).orElse(project.state().isFinal() ? 0.0 : -1.0);
        double rate = version.roundMillis() > 0 ? version.samples() * project.spec().epochs() * 1000.0 / version.roundMillis() : 0;
        return new Progress(project.id(), version.version() - 1, version.version(), project.totalRounds(), loss, accuracy,
                version.trainLoss(), version.contributors(), rate, eta, version.createdAt());
    }
}
