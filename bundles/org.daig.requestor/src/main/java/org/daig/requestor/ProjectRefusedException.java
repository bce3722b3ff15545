package org.daig.requestor;

import java.util.List;
import java.util.stream.Collectors;

import org.daig.api.project.Problem;

/**
 * The project was not submitted because of its settings or files; {@link #problems()} lists every
 * problem, each naming its field ({@code epochs}, {@code taskSize}, {@code model}, ...) with a
 * message that reads after the field's name, so a form can show them next to the fields. Nothing
 * was created on the coordinator.
 */
public class ProjectRefusedException extends RequestorException {

    private static final long serialVersionUID = 1L;

    private final List<Problem> problems;

    /**
     * @param refusedBy who refused, for the message ("the coordinator at ...", "these settings")
     * @param status    the coordinator's status (422), or {@link #NO_ANSWER} when refused here
     */
    ProjectRefusedException(String refusedBy, List<Problem> problems, int status) {
        super(refusedBy + " refused the project: "
                + problems.stream().map(p -> p.field() + ": " + p.message()).collect(Collectors.joining("; ")), status, false, null);
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
