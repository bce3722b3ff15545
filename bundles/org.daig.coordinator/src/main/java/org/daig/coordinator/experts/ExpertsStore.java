package org.daig.coordinator.experts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.daig.wire.VectorFile;

/**
 * The SQL of experts projects (tables {@code experts_projects} and {@code experts_hosts}, schema 14):
 * a project row with its settings as JSON, and one row per group of cells saying which provider hosts
 * it until when, and its newest checkpoint.
 */
public final class ExpertsStore {

    /** A project as stored. */
    record ProjectRow(String id, String owner, String name, String spec, String token, String state, String trainerBlob, Long trainerAt,
            long createdAt) {
    }

    /** A group of cells: who hosts it until when, its newest checkpoint. */
    record GroupRow(String projectId, int group, String providerId, long leaseUntil, String checkpointBlob, Long checkpointAt) {

        boolean heldBy(String device, long now) {
            return device.equals(providerId) && leaseUntil > now;
        }
    }

    static final String RUNNING = "RUNNING";
    static final String CANCELLED = "CANCELLED";
    private static final String PROJECT_COLUMNS = "id, owner, name, spec, token, state, trainer_blob, trainer_at, created_at";
    private static final String GROUP_COLUMNS = "project_id, grp, provider_id, lease_until, checkpoint_blob, checkpoint_at";

    private ExpertsStore() {
    }

    static void insertProject(Connection c, ProjectRow p, int groups) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO experts_projects (" + PROJECT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, p.id());
            s.setString(2, p.owner());
            s.setString(3, p.name());
            s.setString(4, p.spec());
            s.setString(5, p.token());
            s.setString(6, p.state());
            s.setString(7, p.trainerBlob());
            setLong(s, 8, p.trainerAt());
            s.setLong(9, p.createdAt());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO experts_hosts (project_id, grp, lease_until) VALUES (?, ?, 0)")) {
            for (int g = 0; g < groups; g++) {
                s.setString(1, p.id());
                s.setInt(2, g);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    static Optional<ProjectRow> project(Connection c, String id) throws SQLException {
        List<ProjectRow> rows = projects(c, "SELECT " + PROJECT_COLUMNS + " FROM experts_projects WHERE id = ?", id);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Every project (owner null) or one owner's, oldest first. */
    static List<ProjectRow> projects(Connection c, String owner) throws SQLException {
        return owner == null ? projects(c, "SELECT " + PROJECT_COLUMNS + " FROM experts_projects ORDER BY created_at, id")
                : projects(c, "SELECT " + PROJECT_COLUMNS + " FROM experts_projects WHERE owner = ? ORDER BY created_at, id", owner);
    }

    static List<ProjectRow> running(Connection c) throws SQLException {
        return projects(c, "SELECT " + PROJECT_COLUMNS + " FROM experts_projects WHERE state = ? ORDER BY created_at, id", RUNNING);
    }

    static boolean setState(Connection c, String id, String state) throws SQLException {
        return update(c, "UPDATE experts_projects SET state = ? WHERE id = ?", state, id) == 1;
    }

    static boolean setTrainer(Connection c, String id, String blob, long at) throws SQLException {
        return update(c, "UPDATE experts_projects SET trainer_blob = ?, trainer_at = ? WHERE id = ?", blob, at, id) == 1;
    }

    static List<GroupRow> groups(Connection c, String projectId) throws SQLException {
        return groups(c, "SELECT " + GROUP_COLUMNS + " FROM experts_hosts WHERE project_id = ? ORDER BY grp", projectId);
    }

    /** The group {@code device} hosts now, if any. */
    static Optional<GroupRow> heldBy(Connection c, String device, long now) throws SQLException {
        List<GroupRow> rows = groups(c, "SELECT h.project_id, h.grp, h.provider_id, h.lease_until, h.checkpoint_blob, h.checkpoint_at "
                + "FROM experts_hosts h JOIN experts_projects p ON p.id = h.project_id "
                + "WHERE h.provider_id = ? AND h.lease_until > ? AND p.state = ? ORDER BY h.lease_until DESC", device, now, RUNNING);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** A running project's group that nobody hosts now: the one waiting longest, of the oldest project. */
    static Optional<GroupRow> unhosted(Connection c, long now) throws SQLException {
        List<GroupRow> rows = groups(c, "SELECT h.project_id, h.grp, h.provider_id, h.lease_until, h.checkpoint_blob, h.checkpoint_at "
                + "FROM experts_hosts h JOIN experts_projects p ON p.id = h.project_id WHERE p.state = ? AND h.lease_until <= ? "
                + "ORDER BY p.created_at, p.id, h.lease_until, h.grp", RUNNING, now);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Gives the group to {@code device} until {@code until}, if it is still free (or already its own). */
    static boolean lease(Connection c, String projectId, int group, String device, long now, long until) throws SQLException {
        return update(c, "UPDATE experts_hosts SET provider_id = ?, lease_until = ? WHERE project_id = ? AND grp = ? "
                + "AND (lease_until <= ? OR provider_id = ?)", device, until, projectId, group, now, device) == 1;
    }

    /** Extends {@code device}'s live lease on the group; false when it lapsed or went to another. */
    static boolean renew(Connection c, String projectId, int group, String device, long now, long until) throws SQLException {
        return update(c, "UPDATE experts_hosts SET lease_until = ? WHERE project_id = ? AND grp = ? AND provider_id = ? AND lease_until > ?",
                until, projectId, group, device, now) == 1;
    }

    static void setCheckpoint(Connection c, String projectId, int group, String blob, long at) throws SQLException {
        update(c, "UPDATE experts_hosts SET checkpoint_blob = ?, checkpoint_at = ? WHERE project_id = ? AND grp = ?", blob, at, projectId, group);
    }

    /** Ends {@code device}'s lease on the group now. */
    static boolean release(Connection c, String projectId, int group, String device, long now) throws SQLException {
        return update(c, "UPDATE experts_hosts SET lease_until = ? WHERE project_id = ? AND grp = ? AND provider_id = ? AND lease_until > ?",
                now, projectId, group, device, now) == 1;
    }

    /** Whether blob {@code id} is the checkpoint of a group {@code device} hosts now (it resumes from it). */
    public static boolean hostsCheckpoint(Connection c, String device, String id, long now) throws SQLException {
        return exists(c, "SELECT 1 FROM experts_hosts h JOIN experts_projects p ON p.id = h.project_id WHERE h.provider_id = ? "
                + "AND h.lease_until > ? AND h.checkpoint_blob = ? AND p.state = ?", device, now, id, RUNNING);
    }

    /** Whether blob {@code id} belongs to an experts project of {@code owner} (its trainer's file or a checkpoint). */
    public static boolean inProjectOf(Connection c, String id, String owner) throws SQLException {
        return exists(c, "SELECT 1 FROM experts_projects WHERE owner = ? AND trainer_blob = ? UNION ALL SELECT 1 FROM experts_hosts h "
                + "JOIN experts_projects p ON p.id = h.project_id WHERE p.owner = ? AND h.checkpoint_blob = ?", owner, id, owner, id);
    }

    /** The size of the checkpoint file of the group {@code device} hosts now; empty when it hosts none. */
    public static OptionalLong checkpointBytes(Connection c, String device, long now) throws SQLException {
        Optional<GroupRow> held = heldBy(c, device, now);
        if (held.isEmpty()) {
            return OptionalLong.empty();
        }
        ExpertsSpec spec = ExpertsSpec.stored(project(c, held.get().projectId()).orElseThrow().spec());
        return OptionalLong.of(VectorFile.fileSize(spec.groupParameters(held.get().group())));
    }

    /** Whether any project still refers to blob {@code id} (so a replaced checkpoint may be deleted when none does). */
    static boolean referenced(Connection c, String id) throws SQLException {
        return exists(c, "SELECT 1 FROM experts_projects WHERE trainer_blob = ? UNION ALL SELECT 1 FROM experts_hosts WHERE checkpoint_blob = ?",
                id, id);
    }

    private static List<ProjectRow> projects(Connection c, String sql, Object... args) throws SQLException {
        List<ProjectRow> out = new ArrayList<>();
        try (PreparedStatement s = prepare(c, sql, args); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                long trainerAt = r.getLong(8);
                Long trainer = r.wasNull() ? null : trainerAt;
                out.add(new ProjectRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                        r.getString(7), trainer, r.getLong(9)));
            }
        }
        return out;
    }

    private static List<GroupRow> groups(Connection c, String sql, Object... args) throws SQLException {
        List<GroupRow> out = new ArrayList<>();
        try (PreparedStatement s = prepare(c, sql, args); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                long at = r.getLong(6);
                Long checkpointAt = r.wasNull() ? null : at;
                out.add(new GroupRow(r.getString(1), r.getInt(2), r.getString(3), r.getLong(4), r.getString(5), checkpointAt));
            }
        }
        return out;
    }

    private static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = prepare(c, sql, args); ResultSet r = s.executeQuery()) {
            return r.next();
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = prepare(c, sql, args)) {
            return s.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
        return s;
    }

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }
}
