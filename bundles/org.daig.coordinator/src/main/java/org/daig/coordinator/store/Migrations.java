package org.daig.coordinator.store;

import java.util.List;

/** The coordinator's database schema, as the migrations that build it; {@link Database} runs the missing ones at start. */
final class Migrations {

    /** Migration i (0-based) brings the schema to version i + 1. Never edit one that was released. */
    static final List<String[]> ALL = List.<String[]>of(new String[] {
            """
            CREATE TABLE projects (
              id VARCHAR(64) PRIMARY KEY, name VARCHAR(200) NOT NULL, state VARCHAR(16) NOT NULL, message VARCHAR(2000),
              model_blob CHAR(64) NOT NULL, x_blob CHAR(64) NOT NULL, y_blob CHAR(64) NOT NULL,
              epochs INT NOT NULL, batch_size INT NOT NULL, total_tasks INT NOT NULL, task_size INT NOT NULL,
              max_contributors INT NOT NULL, validation_rate DOUBLE PRECISION NOT NULL, passes INT NOT NULL,
              strategy VARCHAR(32) NOT NULL, seed BIGINT NOT NULL,
              param_count BIGINT NOT NULL DEFAULT 0, train_rows BIGINT NOT NULL DEFAULT 0, validation_rows BIGINT NOT NULL DEFAULT 0,
              val_x_blob CHAR(64), val_y_blob CHAR(64), round INT NOT NULL DEFAULT 0, total_rounds INT NOT NULL,
              created_at BIGINT NOT NULL)""",
            """
            CREATE TABLE shards (
              project_id VARCHAR(64) NOT NULL, shard INT NOT NULL, x_blob CHAR(64) NOT NULL, y_blob CHAR(64) NOT NULL,
              rows_count BIGINT NOT NULL, PRIMARY KEY (project_id, shard))""",
            """
            CREATE TABLE versions (
              project_id VARCHAR(64) NOT NULL, version INT NOT NULL, params_blob CHAR(64) NOT NULL, created_at BIGINT NOT NULL,
              samples BIGINT NOT NULL, train_loss DOUBLE PRECISION, loss DOUBLE PRECISION, accuracy DOUBLE PRECISION,
              contributors INT NOT NULL, round_millis BIGINT NOT NULL, PRIMARY KEY (project_id, version))""",
            """
            CREATE TABLE leases (
              id VARCHAR(64) PRIMARY KEY, project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL,
              provider_id VARCHAR(64) NOT NULL, issued_at BIGINT NOT NULL, deadline BIGINT NOT NULL,
              state VARCHAR(16) NOT NULL, ended_at BIGINT)""",
            "CREATE INDEX leases_by_state ON leases (state, project_id)",
            """
            CREATE TABLE results (
              project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL,
              lease_id VARCHAR(64) NOT NULL, delta_blob CHAR(64) NOT NULL, samples BIGINT NOT NULL, loss DOUBLE PRECISION,
              accuracy DOUBLE PRECISION, seconds DOUBLE PRECISION, norm DOUBLE PRECISION NOT NULL, lease_millis BIGINT NOT NULL,
              accepted_at BIGINT NOT NULL, PRIMARY KEY (project_id, round, shard))""",
            """
            CREATE TABLE credits (
              project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL,
              amount DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (project_id, round, shard))""",
            "CREATE INDEX credits_by_provider ON credits (provider_id)" },
            // 2: who owns what (issue 12). Projects made before accounts existed belong to the admin; a blob's
            // owners are the accounts that uploaded it (device '' for a person, else the provider that sent it).
            new String[] {
                "ALTER TABLE projects ADD COLUMN owner VARCHAR(64) DEFAULT 'admin' NOT NULL",
                "CREATE INDEX projects_by_owner ON projects (owner)",
                """
                CREATE TABLE blob_owners (
                  blob_id CHAR(64) NOT NULL, owner VARCHAR(64) NOT NULL, device VARCHAR(64) DEFAULT '' NOT NULL,
                  bytes BIGINT NOT NULL, uploaded_at BIGINT NOT NULL, PRIMARY KEY (blob_id, owner, device))""",
                "CREATE INDEX blob_owners_by_owner ON blob_owners (owner)",
                "CREATE INDEX blob_owners_by_device ON blob_owners (device, uploaded_at)" },
            // 3: the canonical form of each project's model, which providers load instead of the requestor's .h5 (issue 12)
            new String[] { "ALTER TABLE projects ADD COLUMN canonical_blob CHAR(64)" },
            // 4: a strategy may name its robust rule, e.g. kbatch-sync/trimmed-mean:beta=0.2 (issue 13)
            new String[] { "ALTER TABLE projects ALTER COLUMN strategy SET DATA TYPE VARCHAR(200)",
                // where else a delta was accepted: a resend of one's own result, or a copy of someone's
                "CREATE INDEX results_by_delta ON results (project_id, delta_blob)",
                // the audit of refused results that count against a volunteer's device, and when an admin last forgave it
                """
                CREATE TABLE refusals (
                  provider_id VARCHAR(64) NOT NULL, project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL,
                  verdict VARCHAR(32) NOT NULL, reason VARCHAR(1000) NOT NULL, at BIGINT NOT NULL)""",
                "CREATE INDEX refusals_by_provider ON refusals (provider_id, at)",
                "CREATE TABLE volunteer_resets (provider_id VARCHAR(64) PRIMARY KEY, at BIGINT NOT NULL)" },
            // 5: a result the coordinator replays before its round may close is PENDING until the replay agrees (issue 13)
            new String[] { "ALTER TABLE results ADD COLUMN check_state VARCHAR(16)" },
            // 6: replication (issue 13): a replicated task's second result, and a credit for each of its two volunteers
            new String[] {
                """
                CREATE TABLE replicas (
                  project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL,
                  lease_id VARCHAR(64) NOT NULL, delta_blob CHAR(64) NOT NULL, samples BIGINT NOT NULL, norm DOUBLE PRECISION NOT NULL,
                  accepted_at BIGINT NOT NULL, check_state VARCHAR(16) NOT NULL, PRIMARY KEY (project_id, round, shard, provider_id))""",
                """
                CREATE TABLE credits_by_task_and_device (
                  project_id VARCHAR(64) NOT NULL, round INT NOT NULL, shard INT NOT NULL, provider_id VARCHAR(64) NOT NULL,
                  amount DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (project_id, round, shard, provider_id))""",
                "INSERT INTO credits_by_task_and_device SELECT project_id, round, shard, provider_id, amount, at FROM credits",
                "DROP TABLE credits",
                "ALTER TABLE credits_by_task_and_device RENAME TO credits",
                "CREATE INDEX credits_by_provider ON credits (provider_id)" },
            // 7: the loss, optimizer and learning rate a requestor names for a model saved without them (issue 14)
            new String[] { "ALTER TABLE projects ADD COLUMN loss VARCHAR(100)", "ALTER TABLE projects ADD COLUMN optimizer VARCHAR(100)",
                "ALTER TABLE projects ADD COLUMN learning_rate DOUBLE PRECISION" },
            // 8: how a volunteer's worker trained each result, so a replay with the same runtime and threads must match exactly (issue 13)
            new String[] { "ALTER TABLE results ADD COLUMN threads INT DEFAULT 0 NOT NULL", "ALTER TABLE results ADD COLUMN runtime VARCHAR(200)",
                "ALTER TABLE replicas ADD COLUMN threads INT DEFAULT 0 NOT NULL", "ALTER TABLE replicas ADD COLUMN runtime VARCHAR(200)" },
            // 9: how providers encode their updates, and the staleness bound of asynchronous strategies (issue 15)
            new String[] { "ALTER TABLE projects ADD COLUMN compression VARCHAR(40)", "ALTER TABLE projects ADD COLUMN max_staleness INT" },
            // 10: asynchronous strategies: the version each task starts from, and when a queued update was applied (issue 15)
            new String[] { "ALTER TABLE leases ADD COLUMN base_version INT", "UPDATE leases SET base_version = round",
                "ALTER TABLE results ADD COLUMN base_version INT", "UPDATE results SET base_version = round",
                "ALTER TABLE results ADD COLUMN applied_version INT" },
            // 11: compressed projects send parameters down as differences: what providers get, and its difference (issue 15)
            new String[] { "ALTER TABLE versions ADD COLUMN sent_blob CHAR(64)", "ALTER TABLE versions ADD COLUMN diff_blob CHAR(64)" },
            // 12: the blob plane asks for a provider's live leases on every download and upload (issue 16)
            new String[] { "CREATE INDEX leases_by_provider ON leases (provider_id, state)" },
            // 13: volunteers' accounts that keep out of the public credits leaderboard (issue 19)
            new String[] { "CREATE TABLE leaderboard_unlisted (account VARCHAR(64) NOT NULL PRIMARY KEY, since BIGINT NOT NULL)" },
            // 14: experts projects: settings, the trainer's file, and each group of cells with its host and newest checkpoint (issue 18)
            new String[] {
                """
                CREATE TABLE experts_projects (
                  id VARCHAR(64) PRIMARY KEY, owner VARCHAR(64) NOT NULL, name VARCHAR(200) NOT NULL, spec VARCHAR(4000) NOT NULL,
                  token CHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, trainer_blob CHAR(64), trainer_at BIGINT, created_at BIGINT NOT NULL)""",
                """
                CREATE TABLE experts_hosts (
                  project_id VARCHAR(64) NOT NULL, grp INT NOT NULL, provider_id VARCHAR(64), lease_until BIGINT NOT NULL,
                  checkpoint_blob CHAR(64), checkpoint_at BIGINT, PRIMARY KEY (project_id, grp))""",
                "CREATE INDEX experts_hosts_by_provider ON experts_hosts (provider_id)" },
            // 15: providers' uploads are counted in memory (CoordinatorBlobAccess): their rows were read for nothing else (issue 16)
            new String[] { "DELETE FROM blob_owners WHERE device <> ''", "DROP INDEX blob_owners_by_device" },
            // 16: the blob plane finds a provider's live leases in the scheduler's memory (LeaseGrants): the index written by
            // every lease and every result is read by nothing now (issue 16)
            new String[] { "DROP INDEX leases_by_provider" },
            // 17: the copy check finds an unfinished project's deltas in the scheduler's memory and a requestor's read finds a finished
            // project's in finished_deltas; the credits' two readers scan the table anyway (their totals are grouped over all of it).
            // Both indexes put every accepted result on a page of its own (issue 16)
            new String[] { "CREATE TABLE finished_deltas (delta_blob CHAR(64) NOT NULL, project_id VARCHAR(64) NOT NULL, "
                + "PRIMARY KEY (delta_blob, project_id))",
                "INSERT INTO finished_deltas (delta_blob, project_id) SELECT DISTINCT r.delta_blob, r.project_id FROM results r "
                + "JOIN projects p ON p.id = r.project_id WHERE p.state IN ('COMPLETED', 'CANCELLED', 'FAILED')",
                "DROP INDEX results_by_delta", "DROP INDEX credits_by_provider" });

    private Migrations() {
    }
}
