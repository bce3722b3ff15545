package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.List;

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
     * and, if nothing is wrong, creates the project and prepares it in the background. A refused
     * submission leaves nothing behind.
     */
    Submission submit(ProjectSpec spec) throws SQLException;
}
