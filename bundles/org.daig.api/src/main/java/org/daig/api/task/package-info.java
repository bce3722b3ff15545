/**
 * The task exchange between providers and the coordinator over the control plane
 * (docs/protocol.md, "Task exchange"): lease requests, task offers, results and their receipts.
 * Large things (model, shard, parameters, update) travel as blobs; messages carry their ids.
 */
package org.daig.api.task;
