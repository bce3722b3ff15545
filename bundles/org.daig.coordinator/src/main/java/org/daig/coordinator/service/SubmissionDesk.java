package org.daig.coordinator.service;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.daig.api.account.Identity;
import org.daig.api.blob.BlobAccess;
import org.daig.api.blob.BlobStore;
import org.daig.api.project.Problem;
import org.daig.api.project.ProjectChecks;
import org.daig.api.project.ProjectSpec;
import org.daig.api.trainer.WorkerException;
import org.daig.coordinator.aggregate.StrategyName;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.wire.UpdateCodec;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks submissions with the same {@link ProjectChecks} the CLI and the workbench run before
 * uploading, plus what only the coordinator knows: its strategies and its blobs.
 */
@Component(service = ProjectSubmissions.class)
public class SubmissionDesk implements ProjectSubmissions {

    /** The strategy with its robust rule, e.g. kbatch-sync/centered-clip:tau=1.0,iterations=3 (the column's width). */
    static final int MAX_STRATEGY = 200;

    private static final Logger LOG = LoggerFactory.getLogger(SubmissionDesk.class);

    private final ProjectRecords records;
    private final Preparation preparation;
    private final CoordinatorTrainer trainer;
    private final BlobStore blobs;
    private final Set<String> strategies;
    private final CoordinatorMetrics metrics;
    private final ProjectCatalog catalog;
    private final BlobAccess access;

    @Activate
    public SubmissionDesk(@Reference(name = "records") ProjectRecords records, @Reference(name = "preparation") Preparation preparation,
            @Reference(name = "trainer") CoordinatorTrainer trainer, @Reference(name = "blobs") BlobStore blobs,
            @Reference(name = "aggregation") RoundAggregation aggregation, @Reference(name = "metrics") CoordinatorMetrics metrics,
            @Reference(name = "catalog") ProjectCatalog catalog, @Reference(name = "access") BlobAccess access) {
        this.records = records;
        this.preparation = preparation;
        this.trainer = trainer;
        this.blobs = blobs;
        this.strategies = aggregation.strategies();
        this.metrics = metrics;
        this.catalog = catalog;
        this.access = access;
    }

    @Override
    public Submission submit(ProjectSpec submitted, Identity submitter) throws SQLException {
        ProjectSpec spec = submitted.withDefaults();
        List<Problem> problems = new ArrayList<>(ProjectChecks.settingsProblems(spec));
        if (spec.strategy().length() > MAX_STRATEGY) {
            problems.add(new Problem("strategy", "is " + spec.strategy().length() + " characters long; at most " + MAX_STRATEGY));
        } else {
            try {
                StrategyName name = StrategyName.parse(spec.strategy(), strategies);
                if (name.strategy().startsWith("async-") && spec.strategy().contains("/")) {
                    problems.add(new Problem("strategy", "asynchronous strategies apply one update at a time and take no robust rule; "
                            + "use " + name.strategy() + " alone, or kbatch-sync/" + spec.strategy().split("/", 2)[1]));
                }
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("strategy", e.getMessage()));
            }
        }
        try {
            String compression = UpdateCodec.Compression.parse(spec.compression()).text(); // "int8" is stored as "int8:4096"
            spec = new ProjectSpec(spec.name(), spec.model(), spec.x(), spec.y(), spec.epochs(), spec.batchSize(), spec.totalTasks(),
                    spec.taskSize(), spec.maxContributors(), spec.validationRate(), spec.passes(), spec.strategy(), spec.seed(), spec.loss(),
                    spec.optimizer(), spec.learningRate(), compression, spec.maxStaleness());
        } catch (IllegalArgumentException e) {
            problems.add(new Problem("compression", e.getMessage()));
        }
        List<Problem> blobProblems = blobProblems(spec, submitter);
        problems.addAll(blobProblems);
        if (blobProblems.isEmpty()) {
            problems.addAll(dataProblems(spec));
        }
        if (!problems.isEmpty()) {
            metrics.submissionRefused();
            LOG.info("Refused a project '{}': {}", spec.name(),
                    problems.stream().map(p -> p.field() + ": " + p.message()).collect(Collectors.joining("; ")));
            return new Submission(null, problems);
        }
        ProjectRow row = records.scheduler().create(spec, submitter.user());
        LOG.info("Project {} '{}' of {} accepted: {} tasks, K={}, {} epochs, batch {}, {} pass(es); preparing", row.id(), spec.name(),
                submitter.user(), spec.totalTasks(), spec.taskSize(), spec.epochs(), spec.batchSize(), spec.passes());
        preparation.prepare(row);
        return new Submission(catalog.project(row.id()).orElseThrow(), List.of());
    }

    /** The three files must be blobs the coordinator has and the submitter may read (else they are "not there" for them). */
    private List<Problem> blobProblems(ProjectSpec spec, Identity submitter) {
        List<Problem> problems = new ArrayList<>();
        for (String[] blob : new String[][] { { "model", spec.model() }, { "x", spec.x() }, { "y", spec.y() } }) {
            if (!BlobStore.isValidId(blob[1])) {
                problems.add(new Problem(blob[0], "'" + blob[1] + "' is not a blob id: upload the file first (PUT /api/v1/blobs/<sha256>) "
                        + "and give its lower-case hex SHA-256"));
            } else if (blobs.find(blob[1]).isEmpty() || !access.mayRead(submitter, blob[1])) {
                problems.add(new Problem(blob[0], "blob " + blob[1] + " is not on the coordinator: upload it first"));
            }
        }
        return problems;
    }

    /** The worker's check of the model and the data, with the blob files' paths replaced by the field names. */
    private List<Problem> dataProblems(ProjectSpec spec) {
        try {
            Path model = blobs.file(spec.model());
            Path x = blobs.file(spec.x());
            Path y = blobs.file(spec.y());
            return trainer.use(t -> ProjectChecks.dataProblems(t, spec, model, x, y, true));
        } catch (IOException | WorkerException e) {
            return List.of(new Problem("model", "could not be checked: " + e.getMessage()));
        }
    }
}
