/**
 * The task exchange between providers and the coordinator over the control plane
 * (docs/protocol.md, "Task exchange"): lease requests, task offers, results and their receipts.
 * Large things (model, shard, parameters, update) travel as blobs; messages carry their ids.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.daig.api.task;
