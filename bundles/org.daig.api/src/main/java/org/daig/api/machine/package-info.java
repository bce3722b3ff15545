/** What a machine offers for training: operating system, processors, memory, GPUs. */
package org.daig.api.machine;
