package org.daig.coordinator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * An admin's reset of a volunteer's invalid results, on H2 and on Debian's PostgreSQL: the same
 * SQL must run on both (a second reset of the same device moves its reset, it does not fail).
 */
class ReputationStoreTest {

    @Test
    void aVolunteerResetTwiceCountsOnlyWhatCameAfterTheLastResetOnH2() throws Exception {
        resetTwice(TestDatabases.h2("reputation"));
    }

    @Test
    void aVolunteerResetTwiceCountsOnlyWhatCameAfterTheLastResetOnPostgreSQL() throws Exception {
        resetTwice(TestDatabases.postgresql("reputation"));
    }

    private static void resetTwice(TestDatabases.Place place) throws Exception {
        try (Database db = place.open()) {
            db.transaction(c -> {
                ReputationStore.refused(c, "dev-1", "p", 1, 0, "FORGED", "bad", 10);
                ReputationStore.refused(c, "dev-1", "p", 1, 1, "FORGED", "bad", 20);
                ReputationStore.refused(c, "dev-1", "p", 2, 0, "FORGED", "bad", 30);
                return null;
            });
            db.transaction(c -> {
                ReputationStore.reset(c, "dev-1", 15);
                return null;
            });
            assertEquals(Map.of("dev-1", 2L), db.transaction(ReputationStore::invalidCounts), "after the first reset");
            db.transaction(c -> {
                ReputationStore.reset(c, "dev-1", 25);
                return null;
            });
            assertEquals(Map.of("dev-1", 1L), db.transaction(ReputationStore::invalidCounts), "after the second reset");
        }
    }
}
