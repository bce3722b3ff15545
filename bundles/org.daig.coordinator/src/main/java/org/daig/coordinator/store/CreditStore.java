package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.daig.coordinator.store.Records.CreditedTask;

/**
 * The SQL of volunteers' credited tasks, one by one (the totals are {@link ProjectStore#credits}),
 * and of the accounts that keep out of the public leaderboard.
 */
public final class CreditStore {

    private CreditStore() {
    }

    /** The newest {@code limit} credited tasks of {@code devices}, newest first. */
    public static List<CreditedTask> recent(Connection c, Collection<String> devices, int limit) throws SQLException {
        List<CreditedTask> rows = new ArrayList<>();
        if (devices.isEmpty()) {
            return rows;
        }
        String marks = String.join(",", Collections.nCopies(devices.size(), "?"));
        try (PreparedStatement st = c.prepareStatement("SELECT provider_id, project_id, round, shard, amount, at FROM credits WHERE provider_id IN ("
                + marks + ") ORDER BY at DESC")) {
            int i = 1;
            for (String d : devices) {
                st.setString(i++, d);
            }
            st.setMaxRows(limit);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    rows.add(new CreditedTask(r.getString(1), r.getString(2), r.getInt(3), r.getInt(4), r.getDouble(5), r.getLong(6)));
                }
            }
        }
        return rows;
    }

    /** The accounts that keep out of the public credits leaderboard. */
    public static Set<String> unlisted(Connection c) throws SQLException {
        Set<String> accounts = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement("SELECT account FROM leaderboard_unlisted"); ResultSet r = st.executeQuery()) {
            while (r.next()) {
                accounts.add(r.getString(1));
            }
        }
        return accounts;
    }

    /** Lists {@code account} on the public leaderboard again, or keeps it out; true when that changed something. */
    public static boolean setListed(Connection c, String account, boolean listed, long now) throws SQLException {
        if (listed) {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM leaderboard_unlisted WHERE account = ?")) {
                st.setString(1, account);
                return st.executeUpdate() > 0;
            }
        }
        if (unlisted(c).contains(account)) {
            return false;
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO leaderboard_unlisted (account, since) VALUES (?, ?)")) {
            st.setString(1, account);
            st.setLong(2, now);
            return st.executeUpdate() > 0;
        }
    }
}
