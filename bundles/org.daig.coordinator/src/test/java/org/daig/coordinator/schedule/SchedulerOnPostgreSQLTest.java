package org.daig.coordinator.schedule;

import org.daig.coordinator.store.TestDatabases;

/** {@link SchedulerTest} on a real PostgreSQL: every migration, every decision and every restart, as on H2. */
class SchedulerOnPostgreSQLTest extends SchedulerTest {

    @Override
    TestDatabases.Place place() throws Exception {
        return TestDatabases.postgresql("scheduler");
    }
}
