/** What a machine offers for training: operating system, processors, memory, GPUs. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.daig.api.machine;
