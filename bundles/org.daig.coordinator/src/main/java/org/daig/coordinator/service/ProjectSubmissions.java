package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.List;

import org.daig.api.account.Identity;
import org.daig.api.project.Problem;
import org.daig.api.project.ProjectSpec;
import org.daig.api.project.ProjectView;

/** Takes requestors' new projects. */
public interface ProjectSubmissions {

    /** The answer to a submission: the new project, or every problem found. */
    record Submission(ProjectView project, List<Problem> problems) {
    }

    /**
     * Checks a submission completely (settings, blobs, the model and the data in the trainer)
     * and, if nothing is wrong, creates the project, owned by {@code submitter}'s account, and
     * prepares it in the background. Blobs the submitter may not read count as missing, so nobody
     * gets another's data into a project of theirs by naming its id. A refused submission leaves
     * nothing behind.
     */
    Submission submit(ProjectSpec spec, Identity submitter) throws SQLException;
}
