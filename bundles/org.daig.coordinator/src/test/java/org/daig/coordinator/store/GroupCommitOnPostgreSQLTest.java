package org.daig.coordinator.store;

/** {@link GroupCommitTest} on a real PostgreSQL, whose failed statement aborts a transaction unless it is rolled back to a savepoint. */
class GroupCommitOnPostgreSQLTest extends GroupCommitTest {

    @Override
    TestDatabases.Place place() throws Exception {
        return TestDatabases.postgresql("groupcommit");
    }
}
