package org.daig.coordinator.service;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "DAIG coordinator: projects", description = "Database, leases and checks of the coordinator's projects.")
public @interface ProjectServiceConfig {

    String PID = "org.daig.coordinator.projects";

    @AttributeDefinition(name = "JDBC URL", description = "Empty: an H2 file database under the data folder. "
            + "For PostgreSQL: jdbc:postgresql://host/db, plus "
            + "dataSourceFactory.target=(osgi.jdbc.driver.class=org.postgresql.Driver) and the pgjdbc bundle.")
    String jdbcUrl() default "";

    @AttributeDefinition(name = "JDBC user")
    String jdbcUser() default "";

    /**
     * A private property: the configuration key is {@code .jdbcPassword} (DS maps the leading
     * {@code _} to a dot), which DS does not publish with the component's service.
     */
    @AttributeDefinition(name = "JDBC password", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String _jdbcPassword() default "";

    @AttributeDefinition(name = "Standby check (seconds)", description = "On PostgreSQL, several coordinators may share the database: "
            + "the one holding its leader lock acts, the others stand by and try for the lock this often (docs/operations.md).",
            min = "1", max = "60")
    int standbyCheckSeconds() default 1;

    @AttributeDefinition(name = "Public URL", description = "How providers reach this coordinator's HTTP side, e.g. https://grid.example.org. Empty: the HTTP service's own endpoint.")
    String publicUrl() default "";

    @AttributeDefinition(name = "First lease (seconds)", description = "Deadline of tasks before any result of the project was seen.", min = "1")
    int initialLeaseSeconds() default 600;

    @AttributeDefinition(name = "Shortest lease (seconds)", min = "1")
    int minLeaseSeconds() default 30;

    @AttributeDefinition(name = "Longest lease (seconds)", min = "1")
    int maxLeaseSeconds() default 86400;

    @AttributeDefinition(name = "Lease factor", description = "Deadline = factor x the 90th percentile of recent lease-to-result times.", min = "1")
    double leaseFactor() default 3.0;

    @AttributeDefinition(name = "Update norm limit", description = "Refuse an update whose L2 norm is more than this many times, or less than "
            + "1/this squared, the median of recent ones.", min = "1")
    double normFactor() default 10.0;

    @AttributeDefinition(name = "Ban after invalid results", description = "A volunteer's device gets no more tasks after this many invalid "
            + "results (forged, copied, zero, out of bounds) since an admin last reset it; 0: never.", min = "0")
    int banAfterInvalid() default 3;

    @AttributeDefinition(name = "Spot-check rate", description = "The share of accepted results (0 to 1) the coordinator replays in its "
            + "trainer worker before their round may close; a result that does not replay is taken back with its credit and bans its "
            + "device. 0: only new devices' results (below).", min = "0", max = "1")
    double spotCheckRate() default 0.05;

    @AttributeDefinition(name = "Spot-check new devices", description = "A device's results are all replayed until this many have "
            + "passed (new devices are where attackers start); then only the spot-check rate applies. 0: no such rule.", min = "0")
    int spotCheckNewDevices() default 2;

    @AttributeDefinition(name = "Spot-check tolerance", description = "How far a replayed update may be from the volunteer's, as "
            + "|replayed - sent| / |replayed| (L2 norms): with the same backend and thread count results are bit-exact; other thread "
            + "counts and backends differ by up to ~3e-4 measured (attacks by 1 or more).", min = "0")
    double spotCheckTolerance() default 1e-2;

    @AttributeDefinition(name = "Replication rate", description = "The share of tasks (0 to 1) that a second volunteer does too before the "
            + "result counts; the two updates must agree (the coordinator's replay settles a disagreement). Only while 2 or more providers "
            + "are online. 0: none.", min = "0", max = "1")
    double replicationRate() default 0.0;

    @AttributeDefinition(name = "Trainer worker heap", description = "Heap of the coordinator's trainer worker (validation, evaluation, export), e.g. 2g.")
    String workerHeap() default "2g";

    @AttributeDefinition(name = "Trainer worker threads", min = "1")
    int workerThreads() default 2;

    @AttributeDefinition(name = "Parameter shards", description = "Several parameter servers: the parameters are cut into this many "
            + "contiguous ranges, each applied by a thread of its own, for strategies that work value by value (the mean, the asynchronous "
            + "step; docs/strategies.md). 1: one.", min = "1", max = "64")
    int aggregationShards() default 1;

    @AttributeDefinition(name = "Lock-free appliers", description = "Threads that add the waiting updates of an async-lockfree project "
            + "into its parameters at once, each reading and decoding its own update (docs/strategies.md).", min = "1", max = "64")
    int lockFreeThreads() default 4;

    @AttributeDefinition(name = "Checked deltas kept (MiB)", description = "Deltas of accepted results kept in memory until their "
            + "round is aggregated, so that a round's close need not read them again from the blob store; 0 keeps none.", min = "0")
    int checkedDeltasMiB() default 128;
}
