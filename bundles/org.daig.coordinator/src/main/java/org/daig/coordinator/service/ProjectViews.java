package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.daig.api.project.Progress;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.daig.coordinator.schedule.Scheduler;
import org.daig.coordinator.store.AccessStore;
import org.daig.coordinator.store.CreditStore;
import org.daig.coordinator.store.ProjectStore;
import org.daig.coordinator.store.Records.CreditRow;
import org.daig.coordinator.store.Records.CreditedTask;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ResultRow;
import org.daig.coordinator.store.Records.VersionRow;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Projects as requestors and operators see them: the stored rows with the scheduler's live figures on
 * top. The rows are read on the database's reader connections ({@link org.daig.coordinator.store.Database#read}):
 * requestors watching their projects never wait for the task exchange's writes, nor commit its open group early.
 */
@Component(service = { ProjectCatalog.class, ProjectControl.class })
public class ProjectViews implements ProjectCatalog, ProjectControl {

    private final ProjectRecords records;

    @Activate
    public ProjectViews(@Reference(name = "records") ProjectRecords records) {
        this.records = records;
    }

    @Override
    public List<ProjectView> projects() throws SQLException {
        List<ProjectView> views = new ArrayList<>();
        for (ProjectRow row : rows()) {
            views.add(view(row));
        }
        return views;
    }

    @Override
    public Optional<ProjectView> project(String id) throws SQLException {
        Optional<ProjectRow> row = row(id);
        return row.isPresent() ? Optional.of(view(row.get())) : Optional.empty();
    }

    @Override
    public List<ProjectView> projectsOf(String owner) throws SQLException {
        Set<String> owned = records.database().read(c -> AccessStore.projectsOf(c, owner));
        List<ProjectView> views = new ArrayList<>();
        for (ProjectRow row : rows()) {
            if (owned.contains(row.id())) {
                views.add(view(row));
            }
        }
        return views;
    }

    @Override
    public Optional<String> owner(String id) throws SQLException {
        return records.database().read(c -> AccessStore.owner(c, id));
    }

    private List<ProjectRow> rows() throws SQLException {
        return records.database().read(ProjectStore::projects);
    }

    private Optional<ProjectRow> row(String id) throws SQLException {
        return rows().stream().filter(r -> r.id().equals(id)).findFirst();
    }

    private List<VersionRow> versionRows(String id) throws SQLException {
        return records.database().read(c -> ProjectStore.versions(c, id));
    }

    private ProjectView view(ProjectRow stored) throws SQLException {
        Scheduler scheduler = records.scheduler();
        Optional<Scheduler.Live> live = scheduler.live(stored.id());
        ProjectRow row = live.map(Scheduler.Live::row).orElse(stored);
        List<VersionRow> versions = versionRows(row.id());
        Progress latest = null;
        for (int i = versions.size() - 1; i >= 0 && latest == null; i--) {
            VersionRow v = versions.get(i);
            if (v.version() > 0 && (!Double.isNaN(v.loss()) || row.validationRows() == 0)) {
                latest = ProgressFigures.of(scheduler, row, v, v.loss(), v.accuracy());
            }
        }
        int version = versions.isEmpty() ? 0 : versions.get(versions.size() - 1).version();
        return new ProjectView(row.id(), row.spec(), row.state(), row.message(), row.paramCount(), row.trainRows(),
                row.validationRows(), row.round(), row.totalRounds(), version, live.map(Scheduler.Live::contributors).orElse(0),
                latest, live.map(Scheduler.Live::etaSeconds).orElse(row.state() == ProjectState.COMPLETED ? 0.0 : -1.0),
                row.createdAt());
    }

    @Override
    public List<Progress> versions(String id) throws SQLException {
        ProjectRow row = row(id).orElseThrow(() -> new IllegalStateException("no project " + id));
        List<Progress> out = new ArrayList<>();
        for (VersionRow v : versionRows(id)) {
            out.add(ProgressFigures.of(records.scheduler(), row, v, v.loss(), v.accuracy()));
        }
        return out;
    }

    @Override
    public List<ResultRow> results(String id) throws SQLException {
        return records.database().read(c -> ProjectStore.allResults(c, id));
    }

    @Override
    public List<LeaseRow> leases() {
        return records.scheduler().activeLeases();
    }

    @Override
    public List<CreditRow> credits() throws SQLException {
        return records.database().read(ProjectStore::credits);
    }

    @Override
    public List<CreditedTask> recentCredits(Collection<String> devices, int limit) throws SQLException {
        return records.database().read(c -> CreditStore.recent(c, devices, limit));
    }

    @Override
    public Set<String> unlistedAccounts() throws SQLException {
        return records.database().read(CreditStore::unlisted);
    }

    @Override
    public boolean listOnLeaderboard(String account, boolean listed) throws SQLException {
        return records.database().transaction(c -> CreditStore.setListed(c, account, listed, System.currentTimeMillis()));
    }

    @Override
    public long acceptedResults() throws SQLException {
        return records.database().read(ProjectStore::resultCount);
    }

    @Override
    public boolean databaseHealthy() {
        return records.database().isHealthy();
    }

    @Override
    public ProjectRow pause(String id) throws SQLException {
        return records.scheduler().pause(id);
    }

    @Override
    public ProjectRow resume(String id) throws SQLException {
        return records.scheduler().resume(id);
    }

    @Override
    public ProjectRow cancel(String id) throws SQLException {
        return records.scheduler().cancel(id);
    }
}
