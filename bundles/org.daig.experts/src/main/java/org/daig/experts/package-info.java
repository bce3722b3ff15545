/**
 * Experts of a decentralized mixture of experts (issue 18): expert uids on a grid
 * ({@code prefix.i.j}), and the tensors that expert calls carry, as raw little-endian float32 with a
 * small fixed header (never serialized Java objects); the call interface to one expert ({@link org.daig.experts.Expert}),
 * in-process or remote. Plain Java, no components.
 */
package org.daig.experts;
