package org.daig.coordinator.schedule;

import org.daig.coordinator.store.TestDatabases;

/** {@link AsyncSchedulerTest} on a real PostgreSQL: every migration, every decision and every restart, as on H2. */
class AsyncSchedulerOnPostgreSQLTest extends AsyncSchedulerTest {

    @Override
    TestDatabases.Place place() throws Exception {
        return TestDatabases.postgresql("async");
    }
}
