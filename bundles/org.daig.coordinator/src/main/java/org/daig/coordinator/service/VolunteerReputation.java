package org.daig.coordinator.service;

import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.daig.api.account.Accounts;
import org.daig.api.task.TaskResult;
import org.daig.coordinator.schedule.ResultAdmission.Verdict;
import org.daig.coordinator.store.Database;
import org.daig.coordinator.store.ReputationStore;
import org.daig.coordinator.store.ReputationStore.Standing;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each volunteer device's standing. A result refused for something an honest provider does not
 * send (forged, copied, zero, out of bounds) is written to the refusals audit and counts against
 * its device; after {@code banAfterInvalid} of them since an admin's last reset the device gets no
 * more tasks, on any project, and neither does any other device of the same account. Refusals that
 * honest providers meet (a round that closed, a lease that lapsed, a duplicate) do not count. A result that fails the coordinator's replay bans its
 * device at once: an honest provider's result replays exactly (or within the cross-backend tolerance).
 */
@Component(service = VolunteerReputation.class, configurationPid = ProjectServiceConfig.PID)
public class VolunteerReputation {

    /** The verdicts that count against a device. */
    public static final Set<Verdict> MISCONDUCT = EnumSet.of(Verdict.BAD_DELTA, Verdict.NO_LEASE, Verdict.NOT_YOUR_LEASE,
            Verdict.WRONG_SAMPLES, Verdict.COPIED_DELTA, Verdict.ZERO_DELTA, Verdict.OUTLIER_NORM, Verdict.TOO_SMALL);

    /** The audit's name for an accepted result whose replay disagreed (taken back afterwards, not an admission verdict). */
    public static final String SPOT_CHECK_FAILED = "SPOT_CHECK_FAILED";

    /** The audit's name for an admin's ban (no result behind it: project "-", round and shard -1). */
    public static final String BANNED_BY_ADMIN = "BANNED_BY_ADMIN";

    private static final Logger LOG = LoggerFactory.getLogger(VolunteerReputation.class);

    private final Database db;
    private final LongSupplier clock;
    /** Invalid results since the last reset, by device: the database's counts, kept at hand for every task request. */
    private final Map<String, Long> invalid = new ConcurrentHashMap<>();
    /** Failed spot checks since the last reset, by device. */
    private final Map<String, Long> failedChecks = new ConcurrentHashMap<>();
    /** Devices an admin banned since their last reset, with the reason given. */
    private final Map<String, String> adminBans = new ConcurrentHashMap<>();
    private volatile int banAfter;
    /** Optional and dynamic: whose a device is (the accounts bundle); without it, bans go by device only. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Accounts accounts;
    private final Function<String, Optional<String>> accountOf;
    /** Devices' accounts once known (a device stays enrolled to its account). */
    private final Map<String, String> knownAccounts = new ConcurrentHashMap<>();

    @Activate
    public VolunteerReputation(@Reference(name = "records") ProjectRecords records, ProjectServiceConfig config) throws SQLException {
        this(records.database(), config.banAfterInvalid(), System::currentTimeMillis);
    }

    VolunteerReputation(Database db, int banAfter, LongSupplier clock) throws SQLException {
        this(db, banAfter, clock, null);
    }

    /** @param accountOf a device's account (null: the accounts service's answer) */
    VolunteerReputation(Database db, int banAfter, LongSupplier clock, Function<String, Optional<String>> accountOf) throws SQLException {
        this.accountOf = accountOf != null ? accountOf : device -> {
            Accounts book = accounts;
            return book == null ? Optional.empty() : book.deviceAccount(device);
        };
        this.db = db;
        this.clock = clock;
        this.banAfter = banAfter;
        invalid.putAll(db.transaction(ReputationStore::invalidCounts));
        failedChecks.putAll(db.transaction(ReputationStore::failedChecks));
        adminBans.putAll(db.transaction(c -> ReputationStore.adminBans(c, BANNED_BY_ADMIN)));
    }

    @Modified
    void modified(ProjectServiceConfig config) {
        banAfter = config.banAfterInvalid();
    }

    /** Notes a result's verdict: misconduct goes to the audit and counts (a banned device's further junk is not written). */
    public void judged(String providerId, TaskResult result, Verdict verdict, String reason) {
        if (!MISCONDUCT.contains(verdict) || banned(providerId).isPresent()) {
            return;
        }
        if (!record(providerId, String.valueOf(result.projectId()), result.round(), result.shard(), verdict.name(), reason)) {
            return;
        }
        long count = invalid.merge(providerId, 1L, Long::sum);
        if (banAfter > 0 && count == banAfter) {
            LOG.warn("Provider {} gets no more tasks: {} invalid results (the last: {}); an admin lifts it with "
                    + "'daig admin volunteers --reset {}'", providerId, count, reason, providerId);
        }
    }

    /** An accepted result failed its replay (already taken back): audited, and the device gets no more tasks. */
    public void checkFailed(String providerId, String projectId, int round, int shard, String reason) {
        if (record(providerId, projectId, round, shard, SPOT_CHECK_FAILED, reason)) {
            invalid.merge(providerId, 1L, Long::sum);
            failedChecks.merge(providerId, 1L, Long::sum);
            LOG.warn("Provider {} gets no more tasks: its result for project {} round {} shard {} failed the coordinator's replay ({}); "
                    + "an admin lifts it with 'daig admin volunteers --reset {}'", providerId, projectId, round, shard, reason, providerId);
        }
    }

    /**
     * An admin's ban: the device (and, as for any ban, every device of its account) gets no more
     * tasks until an admin resets it; written to the audit with the reason.
     */
    public void ban(String providerId, String reason) throws SQLException {
        String why = reason == null || reason.isBlank() ? "banned by an admin" : reason.strip();
        db.transaction(c -> {
            ReputationStore.refused(c, providerId, "-", -1, -1, BANNED_BY_ADMIN, why, clock.getAsLong());
            return null;
        });
        adminBans.put(providerId, why);
        invalid.merge(providerId, 1L, Long::sum);
        LOG.warn("Provider {} gets no more tasks: an admin banned it ({}); 'daig admin volunteers --reset {}' lifts it", providerId,
                why.replaceAll("[^\\p{Print}]", "?"), providerId);
    }

    /** The audit of refused results and bans, newest first (null filters: all). */
    public List<ReputationStore.Refusal> refusals(String providerId, String verdict, int limit) throws SQLException {
        return db.read(c -> ReputationStore.refusals(c, providerId, verdict, limit));
    }

    private boolean record(String providerId, String projectId, int round, int shard, String verdict, String reason) {
        try {
            db.transaction(c -> {
                ReputationStore.refused(c, providerId, projectId, round, shard, verdict, reason, clock.getAsLong());
                return null;
            });
            return true;
        } catch (SQLException e) {
            LOG.warn("Recording the refusal of a result of {} failed: {}", providerId, e.getMessage());
            return false;
        }
    }

    /**
     * Why this device gets no tasks, if it or another device of the same volunteer's account is
     * banned (a new device does not buy a banned volunteer a fresh start).
     */
    public Optional<String> banned(String providerId) {
        Optional<String> own = bannedDevice(providerId);
        if (own.isPresent() || (failedChecks.isEmpty() && invalid.isEmpty())) {
            return own;
        }
        Optional<String> account = account(providerId);
        if (account.isEmpty()) {
            return Optional.empty();
        }
        for (String device : bannedDevices()) {
            if (!device.equals(providerId) && account.equals(account(device))) {
                return Optional.of("device " + device + " of the same account is banned, and so is every device of it; ask the grid's admin "
                        + "to review it");
            }
        }
        return Optional.empty();
    }

    private Set<String> bannedDevices() {
        Set<String> devices = new java.util.TreeSet<>(failedChecks.keySet());
        devices.addAll(adminBans.keySet());
        devices.addAll(invalid.keySet());
        devices.removeIf(d -> bannedDevice(d).isEmpty());
        return devices;
    }

    private Optional<String> account(String device) {
        String known = knownAccounts.get(device);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> account = accountOf.apply(device);
        account.ifPresent(a -> knownAccounts.put(device, a));
        return account;
    }

    private Optional<String> bannedDevice(String providerId) {
        String byAdmin = adminBans.get(providerId);
        if (byAdmin != null) {
            return Optional.of("an admin banned this device, so it gets no more tasks: " + byAdmin);
        }
        if (banAfter > 0 && failedChecks.getOrDefault(providerId, 0L) > 0) {
            return Optional.of("a result of this device failed the coordinator's replay, so it gets no more tasks; ask the grid's admin "
                    + "to review it");
        }
        long count = invalid.getOrDefault(providerId, 0L);
        if (banAfter <= 0 || count < banAfter) {
            return Optional.empty();
        }
        return Optional.of("this device sent " + count + " invalid results and gets no more tasks; ask the grid's admin to review it");
    }

    /** Every device's standing, with its account (when known) and whether it is banned now. */
    public List<Volunteer> volunteers() throws SQLException {
        return db.read(ReputationStore::standings).stream()
                .map(s -> new Volunteer(s, account(s.providerId()).orElse(null), banned(s.providerId()).isPresent())).toList();
    }

    /** Forgives a device its invalid results so far; false when it had none. */
    public boolean reset(String providerId) throws SQLException {
        Long before = invalid.remove(providerId);
        failedChecks.remove(providerId);
        adminBans.remove(providerId);
        db.transaction(c -> {
            ReputationStore.reset(c, providerId, clock.getAsLong());
            return null;
        });
        LOG.info("Provider {}'s invalid results ({}) were reset by an admin", providerId, before == null ? 0 : before);
        return before != null;
    }

    /** A device's standing as admins see it. */
    public record Volunteer(String providerId, String account, long accepted, long invalid, boolean banned, String lastVerdict,
            String lastReason, Long lastAt) {

        Volunteer(Standing s, String account, boolean banned) {
            this(s.providerId(), account, s.accepted(), s.invalid(), banned, s.lastVerdict(), s.lastReason(), s.lastAt());
        }
    }
}
