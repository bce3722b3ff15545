package org.daig.coordinator.service;

import java.sql.SQLException;

import org.daig.coordinator.store.Records.ProjectRow;

/**
 * What a requestor or operator may do to a running project. Each throws IllegalStateException
 * for a project that is unknown ("no project ...") or already finished.
 */
public interface ProjectControl {

    ProjectRow pause(String id) throws SQLException;

    ProjectRow resume(String id) throws SQLException;

    /** Ends a project for good; results of its running tasks are refused as stale. */
    ProjectRow cancel(String id) throws SQLException;
}
