package org.daig.coordinator.http;

import java.util.List;
import java.util.Optional;

import org.daig.api.account.Accounts;
import org.daig.api.account.Identity;
import org.daig.api.project.ProjectSpec;
import org.daig.api.task.Task;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.service.Fixture;
import org.daig.coordinator.store.Records.ProjectRow;
import org.daig.coordinator.store.Records.ShardRow;

/**
 * The credit tests' grid: prov-a and prov-b are vera's machines, prov-c is walt's, and each has
 * done one task of alice's project (each its own update: a copy earns nothing).
 */
final class CreditedDevices {

    private CreditedDevices() {
    }

    /** Who owns which device, as the account service would say. */
    static Accounts accounts() {
        return new Accounts() {
            @Override
            public Optional<Identity> verify(String token) {
                return Optional.empty();
            }

            @Override
            public Optional<Identity> verifyClient(String username, String password) {
                return Optional.empty();
            }

            @Override
            public Optional<String> deviceAccount(String device) {
                return Optional.of(device.equals("prov-c") ? "walt" : "vera");
            }
        };
    }

    /** Runs one task for each of the three devices on {@code fx}'s scheduler. */
    static void earn(Fixture fx) throws Exception {
        ProjectRow row = fx.scheduler.create(new ProjectSpec("p", "a".repeat(64), "b".repeat(64), "c".repeat(64), 1, 8, 3, 3, 3, 0.1, 1,
                ProjectSpec.KBATCH_SYNC, 7), "alice");
        fx.scheduler.prepared(row.id(), 3, 20, 0, null, null, List.of(new ShardRow(0, "d".repeat(64), "e".repeat(64), 10),
                new ShardRow(1, "d".repeat(64), "e".repeat(64), 10),
                new ShardRow(2, "d".repeat(64), "e".repeat(64), 10)), fx.vector(0, 0, 0), null);
        for (String provider : List.of("prov-a", "prov-b", "prov-c")) {
            Task t = fx.scheduler.lease(provider, 0).orElseThrow();
            fx.scheduler.submit(provider, new TaskResult("r", t.leaseId(), t.projectId(), t.round(), t.shard(), t.version(),
                    fx.vector(1, 1, 1 + t.shard()), t.rows(), 0.5, 0.9, 1.0), 1.0);
        }
    }
}
