/**
 * Wire formats shared by the coordinator, the provider, the requestor and the worker JVM: the
 * worker's length-prefixed frames (a JSON header and a raw little-endian float32 payload,
 * docs/worker-protocol.md), parameter and update vectors as 1-d float32 .npy files, and JSON
 * numbers that may not be finite (NaN travels as null).
 */
package org.daig.wire;
