package org.daig.coordinator.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import org.daig.coordinator.store.Records.CreditedTask;

/** The SQL of volunteers' credited tasks, one by one (the totals are {@link ProjectStore#credits}). */
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
}
