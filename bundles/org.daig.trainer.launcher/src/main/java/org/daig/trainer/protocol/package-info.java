/**
 * The wire format between a launcher and its worker JVM (docs/worker-protocol.md), shared by both
 * sides: length-prefixed frames of a JSON header and a raw little-endian float32 payload.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.daig.trainer.protocol;
