package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.daig.api.project.Progress;
import org.daig.api.project.ProjectView;
import org.daig.coordinator.store.Records.CreditRow;
import org.daig.coordinator.store.Records.CreditedTask;
import org.daig.coordinator.store.Records.LeaseRow;
import org.daig.coordinator.store.Records.ResultRow;

/** What requestors and operators read about projects, leases and credits. */
public interface ProjectCatalog {

    List<ProjectView> projects() throws SQLException;

    Optional<ProjectView> project(String id) throws SQLException;

    /** The projects the account {@code owner} submitted. */
    List<ProjectView> projectsOf(String owner) throws SQLException;

    /** The account that owns a project; empty when there is no such project. */
    Optional<String> owner(String id) throws SQLException;

    /** Every version of a project as progress events (loss/accuracy NaN until evaluated). */
    List<Progress> versions(String id) throws SQLException;

    /** Every accepted result of a project: who trained which shard of which round, and the delta used. */
    List<ResultRow> results(String id) throws SQLException;

    /** Every active lease. */
    List<LeaseRow> leases();

    List<CreditRow> credits() throws SQLException;

    /** The newest {@code limit} tasks credited to any of {@code devices}, newest first. */
    List<CreditedTask> recentCredits(Collection<String> devices, int limit) throws SQLException;

    /** The accounts that keep out of the public credits leaderboard. */
    Set<String> unlistedAccounts() throws SQLException;

    /** Lists an account on the public credits leaderboard, or keeps it out (its own choice); true when that changed something. */
    boolean listOnLeaderboard(String account, boolean listed) throws SQLException;

    long acceptedResults() throws SQLException;

    boolean databaseHealthy();
}
